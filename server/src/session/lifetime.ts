import { sessionTimes } from './data.js';

type Times = { lastTouchedAt: number; absoluteExpiresAt: number };

/**
 * The rules that decide what a read of a signed-in session must do, in one place for both
 * readers of /auth/me (see routes/me.ts): end it, or move its idle expiry.
 */

/** True once the idle or the absolute expiry has passed: the session ends instead of answering. */
export function hasExpired(data: Times, now: number, idleTimeoutMs: number): boolean {
  return sessionTimes(data, idleTimeoutMs).expiresAt <= now;
}

/** The idle expiry moves at most once per touch interval, so steady-state reads never write. */
export function touchDue(data: Pick<Times, 'lastTouchedAt'>, now: number, touchIntervalMs: number): boolean {
  return now - data.lastTouchedAt >= touchIntervalMs;
}
