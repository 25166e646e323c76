import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
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
 * - `answerFromStore`, asked before Express (`http/me-shortcut.ts`), answers the steady state:
 *   a valid session with nothing to write. One Redis GET and nothing else.
 * - `meHandler`, behind express-session, does everything that writes: it ends an expired
 *   session, refreshes tokens that are about to expire, and moves the idle expiry.
 * Both decide with the same rules (`session/lifetime.ts`, `refreshDue`) and answer the same body.
 */

/** A whole /auth/me answer, its body already JSON. */
export interface MeAnswer {
  status: 200 | 401;
  json: string;
}

const UNAUTHENTICATED: MeAnswer = { status: 401, json: JSON.stringify(errorBody(ErrorCode.Unauthenticated, 'Not signed in.')) };

/**
 * The answer the store alone gives, or `null` when the session must be written first (ended,
 * refreshed or touched), which is `meHandler`'s work. Free of Express, so any HTTP layer can ask.
 */
export async function answerFromStore(reader: SessionReader, cookieHeader: string | undefined, now: number, rules: Config['session']): Promise<MeAnswer | null> {
  // A missing or forged cookie is refused here, before the store is asked.
  const id = reader.idFrom(cookieHeader);
  if (id === null) return UNAUTHENTICATED;
  const stored = await reader.load(id);
  const session = stored && signedIn(stored);
  if (!session) return UNAUTHENTICATED;
  if (hasExpired(session, now, rules.idleTimeoutMs) || refreshDue(session, now) || touchDue(session, now, rules.touchIntervalMs)) {
    return null;
  }
  return signedInAnswer(session, rules.idleTimeoutMs);
}

export function meHandler(deps: { config: Config; sessions: Sessions; refresher: TokenRefresher; now: () => number }): RequestHandler {
  const { config, sessions, refresher, now } = deps;
  const { idleTimeoutMs, touchIntervalMs } = config.session;
  return async (req, res) => {
    const session = signedIn(req.session);
    if (!session) return sendAnswer(res, UNAUTHENTICATED);
    const current = now();
    if (hasExpired(session, current, idleTimeoutMs)) {
      await sessions.end(req);
      return sendAnswer(res, UNAUTHENTICATED);
    }
    if ((await refresher.refreshIfDue(req)) === 'ended') return sendAnswer(res, UNAUTHENTICATED);
    // A refresh reloads the session: read it again.
    const live = signedIn(req.session);
    if (!live) return sendAnswer(res, UNAUTHENTICATED);
    // Moving the idle expiry marks the session changed, so express-session writes it, once per interval.
    if (touchDue(live, current, touchIntervalMs)) live.lastTouchedAt = current;
    sendAnswer(res, signedInAnswer(live, idleTimeoutMs));
  };
}

function signedInAnswer(session: SessionData, idleTimeoutMs: number): MeAnswer {
  const times = sessionTimes(session, idleTimeoutMs);
  const body: MeResponse = {
    user: session.user,
    session: { expiresAt: new Date(times.expiresAt).toISOString(), absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString() },
  };
  return { status: 200, json: JSON.stringify(body) };
}

/**
 * Writes the answer directly: res.json would parse and rebuild the Content-Type and recount
 * the body on every call, a measurable share of this route's cost (see bench/).
 */
export function sendAnswer(res: ServerResponse, answer: MeAnswer): void {
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.json) });
  res.end(answer.json);
}
