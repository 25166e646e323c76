import type { RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';
import { ErrorCode, type MeResponse } from '@porter/shared';
import type { Config } from '../config.js';
import { errorBody } from '../errors.js';
import { refreshDue, type TokenRefresher } from '../oidc/token-refresh.js';
import { sessionTimes, signedIn } from '../session/data.js';
import { hasExpired, touchDue } from '../session/lifetime.js';
import type { SessionReader } from '../session/reader.js';
import type { Sessions } from '../session/sessions.js';

/**
 * `GET /auth/me` runs on every signed-in page view, so it has two readers:
 * - `meFromStore`, mounted before express-session, answers the steady state: a valid session
 *   with nothing to write. One Redis GET and nothing else.
 * - `meHandler`, behind express-session, does everything that writes: it ends an expired
 *   session, refreshes tokens that are about to expire, and moves the idle expiry.
 * Both decide with the same rules (`session/lifetime.ts`, `refreshDue`) and answer the same body.
 */

export function meFromStore(deps: { config: Config; reader: SessionReader; now: () => number }): RequestHandler {
  const { config, reader, now } = deps;
  const { idleTimeoutMs, touchIntervalMs } = config.session;
  return async (req, res, next) => {
    // A missing or forged cookie is refused here, before the store is asked.
    const id = reader.idFrom(req.headers.cookie);
    if (id === null) return unauthenticated(res);
    const stored = await reader.load(id);
    const session = stored && signedIn(stored);
    if (!session) return unauthenticated(res);
    const current = now();
    // Ending, refreshing or touching writes the session: meHandler does it, through express-session.
    if (hasExpired(session, current, idleTimeoutMs) || refreshDue(session.accessTokenExpiresAt, current) || touchDue(session, current, touchIntervalMs)) {
      return next();
    }
    answer(res, 200, meBody(session, idleTimeoutMs));
  };
}

export function meHandler(deps: { config: Config; sessions: Sessions; refresher: TokenRefresher; now: () => number }): RequestHandler {
  const { config, sessions, refresher, now } = deps;
  const { idleTimeoutMs, touchIntervalMs } = config.session;
  return async (req, res) => {
    const session = signedIn(req.session);
    if (!session) return unauthenticated(res);
    const current = now();
    if (hasExpired(session, current, idleTimeoutMs)) {
      await sessions.end(req);
      return unauthenticated(res);
    }
    if ((await refresher.refreshIfDue(req)) === 'ended') return unauthenticated(res);
    // A refresh reloads the session: read it again.
    const live = signedIn(req.session);
    if (!live) return unauthenticated(res);
    // Moving the idle expiry marks the session changed, so express-session writes it, once per interval.
    if (touchDue(live, current, touchIntervalMs)) live.lastTouchedAt = current;
    answer(res, 200, meBody(live, idleTimeoutMs));
  };
}

function meBody(session: SessionData, idleTimeoutMs: number): MeResponse {
  const times = sessionTimes(session, idleTimeoutMs);
  return {
    user: session.user,
    session: { expiresAt: new Date(times.expiresAt).toISOString(), absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString() },
  };
}

const UNAUTHENTICATED = JSON.stringify(errorBody(ErrorCode.Unauthenticated, 'Not signed in.'));

function unauthenticated(res: Response) {
  answer(res, 401, UNAUTHENTICATED);
}

/**
 * Writes the JSON answer directly: res.json would parse and rebuild the Content-Type and
 * recount the body on every call, a measurable share of this route's cost (see bench/).
 */
function answer(res: Response, status: number, body: MeResponse | string) {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
