import express, { Router } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { noStore } from '../http/headers.js';
import type { DjangoSso } from '../idp/django-sso.js';
import { applySsoEvent, parseSsoEvent } from '../idp/django-sso-events.js';
import type { SessionDirectory } from '../session/directory.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** The gateway's events are small JSON objects; anything larger is refused before parsing. */
const EVENT_BODY_LIMIT = '64kb';

export interface SsoEventsRouterDeps {
  sso: DjangoSso;
  sessions: SessionDirectory;
  kv: Kv;
  keys: Keys;
  log: Logger;
}

/**
 * `POST /sso/event/`: the gateway's back channel. Mounted before the session middleware (the
 * gateway has no session). The service token is the only authentication: 401 and nothing
 * applied without it. Applied before answering (see README: a few round trips, well within the
 * gateway's 0.1 s); unknown types are acknowledged and ignored.
 */
export function ssoEventsRouter({ sso, sessions, kv, keys, log }: SsoEventsRouterDeps): Router {
  const router = Router();
  router.post('/sso/event/', noStore, express.text({ type: () => true, limit: EVENT_BODY_LIMIT }), async (req, res) => {
    let body: unknown;
    try {
      body = JSON.parse(typeof req.body === 'string' ? req.body : '');
    } catch {
      throw new AppError(400, ErrorCode.BadRequest, 'The event is not JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError(400, ErrorCode.BadRequest, 'The event must be a JSON object.');
    const record = body as Record<string, unknown>;
    if (!sso.isServiceToken(record.token)) throw new AppError(401, ErrorCode.InvalidSignature, 'The event does not carry this service\'s token.');
    const event = parseSsoEvent(record);
    if (event.type === 'unknown') {
      log.info({ type: event.name }, 'django-sso event of an unknown type: ignored');
    } else {
      const sessionsChanged = await applySsoEvent(event, { sso, sessions, kv, keys });
      log.info({ type: event.type, sessions: sessionsChanged }, 'django-sso event applied');
    }
    res.json({ ok: true });
  });
  return router;
}
