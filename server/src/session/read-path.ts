import type { SessionData } from 'express-session';
import { ErrorCode, type MeResponse } from '@porter/shared';
import type { Config } from '../config.js';
import { errorBody } from '../errors.js';
import { sessionTimes, signedIn } from './data.js';
import { hasExpired, refreshDue, touchDue } from './lifetime.js';
import type { SessionReader } from './reader.js';

/**
 * `GET /auth/me` runs on every signed-in page view, so it has two readers:
 * - `answerFromStore`, asked before Express (`http/me-shortcut.ts`), answers the steady state:
 *   a valid session with nothing to write. One Redis GET and nothing else.
 * - `meHandler` (`routes/me.ts`), behind express-session, does everything that writes: it ends
 *   an expired session, refreshes tokens that are about to expire, and moves the idle expiry.
 * Both decide with the same rules (`session/lifetime.ts`) and answer the same body.
 */

/** A whole /auth/me answer, its body already JSON. */
export interface MeAnswer {
  status: 200 | 401;
  json: string;
}

export const UNAUTHENTICATED: MeAnswer = { status: 401, json: JSON.stringify(errorBody(ErrorCode.Unauthenticated, 'Not signed in.')) };

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

export function signedInAnswer(session: SessionData, idleTimeoutMs: number): MeAnswer {
  const times = sessionTimes(session, idleTimeoutMs);
  const body: MeResponse = {
    user: session.user,
    session: { expiresAt: new Date(times.expiresAt).toISOString(), absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString() },
  };
  return { status: 200, json: JSON.stringify(body) };
}
