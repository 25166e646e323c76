import type { SessionData } from 'express-session';
import { sessionTimes } from './data.js';

type Times = { lastTouchedAt: number; absoluteExpiresAt: number };

/**
 * The rules that decide what a read of a signed-in session must do, in one place for both
 * readers of /auth/me (see session/read-path.ts): end it, refresh its tokens, or move its idle
 * expiry.
 */

/** Refresh this long before the access token expires, so a page never meets an expired one. */
export const REFRESH_BEFORE_MS = 60_000;

/** True once the idle or the absolute expiry has passed: the session ends instead of answering. */
export function hasExpired(data: Times, now: number, idleTimeoutMs: number): boolean {
  return sessionTimes(data, idleTimeoutMs).expiresAt <= now;
}

/**
 * True when the access token expires within {@link REFRESH_BEFORE_MS} and no failed refresh
 * asked to wait. `accessTokenExpiresAt` is `null` when the session cannot or need not refresh.
 */
export function refreshDue(session: Partial<Pick<SessionData, 'accessTokenExpiresAt' | 'refreshRetryAt'>>, now: number): boolean {
  const { accessTokenExpiresAt, refreshRetryAt } = session;
  if (typeof accessTokenExpiresAt !== 'number') return false;
  if (refreshRetryAt !== undefined && now < refreshRetryAt) return false;
  return accessTokenExpiresAt - now <= REFRESH_BEFORE_MS;
}

/** The idle expiry moves at most once per touch interval, so steady-state reads never write. */
export function touchDue(data: Pick<Times, 'lastTouchedAt'>, now: number, touchIntervalMs: number): boolean {
  return now - data.lastTouchedAt >= touchIntervalMs;
}

/**
 * True when the person authenticated at the identity provider at most `maxAgeS` seconds before
 * `now` (ms), by the session's `authTime` (the id_token's `auth_time`, OpenID Connect Core §2).
 * A session whose provider did not say when is never recent: it must step up.
 */
export function authenticatedWithin(session: Pick<Partial<SessionData>, 'authTime'>, now: number, maxAgeS: number): boolean {
  return typeof session.authTime === 'number' && now - session.authTime <= maxAgeS * 1000;
}
