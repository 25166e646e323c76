import express, { Router, type RequestHandler } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { AuthEvents } from '../reports/auth-events.js';
import type { SessionDirectory } from '../session/directory.js';
import { applyWebhook } from '../webhooks/apply.js';
import type { Deliveries } from '../webhooks/deliveries.js';
import { parseWebhook } from '../webhooks/event.js';
import { SIGNATURE_HEADER, verifySignature } from '../webhooks/signature.js';

export interface WebhooksRouterDeps {
  config: Config;
  directory: SessionDirectory;
  authEvents: AuthEvents;
  deliveries: Deliveries;
  log: Logger;
  now: () => number;
}

/**
 * What Campus One gets back: 200 once the change is durable (or there was nothing to do).
 * `superseded`: a newer event about the same user was applied first, so this one was not.
 */
export interface WebhookAnswer {
  ok: true;
  outcome: 'applied' | 'ignored' | 'duplicate' | 'superseded';
  sessions: number;
}

const WEBHOOK_BODY_LIMIT = '64kb';

/**
 * `POST /webhooks/campus-one`. It needs no session, and must see the body exactly as signed:
 * mount it before the session middleware and before any JSON parser.
 */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const { config, directory, authEvents, deliveries, log, now } = deps;
  const secrets = config.campusOne.webhookSecrets;
  const router = Router();

  const requireSecrets: RequestHandler = (_req, _res, next) => {
    if (secrets.length > 0) return next();
    next(new AppError(503, ErrorCode.WebhooksNotConfigured, 'Webhooks are not configured on this server: set CAMPUS_ONE_WEBHOOK_SECRET.'));
  };

  router.post(
    '/campus-one',
    requireSecrets,
    // Any content type: the signature decides, over the bytes as they arrived.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifySignature(body, req.get(SIGNATURE_HEADER), secrets)) {
        throw new AppError(401, ErrorCode.InvalidSignature, `${SIGNATURE_HEADER} is missing, malformed, or does not sign this body.`);
      }
      const event = parseWebhook(body);
      if (event.kind === 'ignored') {
        log.info({ webhook: event.id, event: event.event }, 'webhook event ignored: Porter does not act on it');
        return answer(res, 'ignored', 0);
      }
      deliveries.checkDate(event.occurredAt, now());
      const claim = await deliveries.claim(event.id);
      if (claim === 'duplicate') return answer(res, 'duplicate', 0);
      if (claim === 'in_progress') {
        throw new AppError(409, ErrorCode.DeliveryInProgress, 'This delivery is being applied right now; retry shortly.');
      }
      try {
        const unsuperseded = await deliveries.unsuperseded(event);
        if (!unsuperseded) {
          // Marked applied, so that Campus One's retries of it stop here too.
          await deliveries.applied(event.id);
          log.info(
            { webhook: event.id, event: event.event, sub: event.sub, occurredAt: new Date(event.occurredAt).toISOString() },
            'webhook event superseded: a newer event about the same user was applied first',
          );
          return answer(res, 'superseded', 0);
        }
        const applied = await applyWebhook(unsuperseded, { directory, authEvents, log });
        await deliveries.applied(event.id);
        answer(res, 'applied', applied.sessions);
      } catch (err) {
        // With Redis away this fails too; the claim then expires by itself.
        await deliveries.release(event.id).catch(() => {});
        throw err;
      }
    },
  );
  return router;
}

function answer(res: express.Response, outcome: WebhookAnswer['outcome'], sessions: number) {
  const body: WebhookAnswer = { ok: true, outcome, sessions };
  res.json(body);
}
