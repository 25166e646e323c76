import express, { Router, type RequestHandler } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../ops/metrics.js';
import { countOutcome, setOutcome } from '../ops/outcome.js';
import type { AuthEvents } from '../reports/auth-events.js';
import type { SessionDirectory } from '../session/directory.js';
import type { Deliveries } from '../webhooks/deliveries.js';
import { parseWebhook } from '../webhooks/event.js';
import { receiveWebhook } from '../webhooks/receive.js';
import { SIGNATURE_HEADER, verifySignature } from '../webhooks/signature.js';

export interface WebhooksRouterDeps {
  config: Config;
  directory: SessionDirectory;
  authEvents: AuthEvents;
  deliveries: Deliveries;
  metrics: Metrics;
  log: Logger;
  now: () => number;
}

const WEBHOOK_BODY_LIMIT = '64kb';

/**
 * `POST /webhooks/campus-one`. It needs no session, and must see the body exactly as signed:
 * mount it before the session middleware and before any JSON parser.
 */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const { config, directory, authEvents, deliveries, metrics, log, now } = deps;
  const secrets = config.campusOne.webhookSecrets;
  const router = Router();

  const requireSecrets: RequestHandler = (_req, _res, next) => {
    if (secrets.length > 0) return next();
    next(new AppError(503, ErrorCode.WebhooksNotConfigured, 'Webhooks are not configured on this server: set CAMPUS_ONE_WEBHOOK_SECRET.'));
  };

  router.post(
    '/campus-one',
    countOutcome((outcome, res) => metrics.webhook(res.locals.webhookEvent as string | undefined, outcome)),
    requireSecrets,
    // Any content type: the signature decides, over the bytes as they arrived.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifySignature(body, req.get(SIGNATURE_HEADER), secrets)) {
        throw new AppError(401, ErrorCode.InvalidSignature, `${SIGNATURE_HEADER} is missing, malformed, or does not sign this body.`);
      }
      const event = parseWebhook(body);
      res.locals.webhookEvent = event.event;
      const answer = await receiveWebhook(event, { deliveries, directory, authEvents, log, now });
      setOutcome(res, answer.outcome);
      res.json(answer);
    },
  );
  return router;
}
