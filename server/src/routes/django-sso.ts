import express, { Router, type ErrorRequestHandler } from 'express';
import { ANON_MARKER_COOKIE, ErrorCode, safeReturnTo } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { noStore } from '../http/headers.js';
import type { DjangoSso } from '../idp/django-sso.js';
import { userFromAccount } from '../idp/django-sso.js';
import { applySsoEvent, parseSsoEvent } from '../idp/django-sso-events.js';
import type { SsoTransactionCookie } from '../idp/django-sso-transaction.js';
import { TRANSACTION_TTL_MS } from '../oidc/transaction.js';
import type { AuthEvents } from '../reports/auth-events.js';
import { cookieOptions } from '../session/cookies.js';
import { deviceLabel } from '../session/device.js';
import type { SessionDirectory } from '../session/directory.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
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

export interface SsoAcceptRouterDeps {
  config: Config;
  sso: DjangoSso;
  sessions: SessionLifecycle;
  transactions: SsoTransactionCookie;
  authEvents: AuthEvents;
  log: Logger;
  now: () => number;
}

/**
 * `GET /sso/accept/`, where the gateway sends the browser after sign-in: the kept token is
 * refused if this Porter accepted it before (first, whatever the gateway says), then `sso/get/`
 * must say it is authenticated, then `sso/make_used/`; the session begins with a fresh id.
 */
export function ssoAcceptRouter({ config, sso, sessions, transactions, authEvents, log, now }: SsoAcceptRouterDeps): Router {
  const router = Router();
  router.get('/sso/accept/', noStore, async (req, res) => {
    const transaction = await transactions.take(req, res);
    if (!transaction) {
      throw new AppError(400, ErrorCode.InvalidState, 'This sign-in was started in another browser or tab, has expired, or was already finished. Please sign in again.');
    }
    if (!(await sso.markAccepted(transaction.authenticationToken, TRANSACTION_TTL_MS))) {
      throw new AppError(400, ErrorCode.InvalidState, 'This sign-in was already used. Please sign in again.');
    }
    const { userIdenty, nextUrl } = await sso.authenticated(transaction.authenticationToken);
    await sso.makeUsed(transaction.authenticationToken);
    const fields = await sso.account(userIdenty);
    if (fields?.is_active === false) throw new AppError(403, ErrorCode.Forbidden, 'This account is not active.');
    const user = userFromAccount(userIdenty, fields, sso.config.roleRules);
    await sessions.begin(req, {
      user,
      // The gateway gives Porter no token to keep or refresh.
      tokens: { accessToken: '', refreshToken: null, idToken: '' },
      accessTokenExpiresAt: null,
      providerSid: null,
      authTime: now(),
      device: deviceLabel(req.get('user-agent')),
      signInMethod: 'interactive',
    });
    log.info({ sub: user.sub, role: user.role, accountFields: fields !== null }, 'signed in through django-sso');
    await authEvents.record({ type: 'signed_in', role: user.role, silent: false });
    res.clearCookie(ANON_MARKER_COOKIE, cookieOptions(config));
    res.redirect(nextUrl === null ? transaction.returnTo : safeReturnTo(nextUrl));
  });
  const countFailure: ErrorRequestHandler = async (err, _req, _res, next) => {
    await authEvents.record({ type: 'sign_in_failed', reason: toAppError(err).code, silent: false }).catch(() => {});
    next(err);
  };
  router.use('/sso/accept/', countFailure);
  return router;
}
