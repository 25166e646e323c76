import type { Request } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics.js';
import { refreshDue } from '../session/lifetime.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
import type { Keys } from '../store/keys.js';
import { singleFlight, type Locks } from '../store/lock.js';
import type { CampusOne } from './campus-one.js';
import { refresh } from './flow.js';
import { isGrantRevoked, oauthErrorOf } from './protocol-errors.js';

/** After a failed refresh, page views answer from the store this long before the next try. */
export const REFRESH_RETRY_MS = 60_000;
/** Longer than a refresh takes (Campus One's timeout included); a holder that dies frees the lock by then. */
export const LOCK_TTL_MS = 15_000;

/** `cannot-refresh`: a session stored without a refresh token, now marked never due. */
export type RefreshOutcome = 'not-due' | 'refreshed' | 'busy' | 'failed' | 'cannot-refresh' | 'ended';

/**
 * Refreshes a session's access token when it is about to expire, as oauth2-proxy does: under
 * a lock (`store/lock.ts`) so one request on one instance refreshes, reloading the session under
 * the lock to see whether another already did, and ending the session only when it is gone or
 * Campus One says the grant is (`invalid_grant`). Other failures keep the session and wait
 * {@link REFRESH_RETRY_MS} before the next try, so page views meanwhile stay one read. The
 * session is read and written through `SessionLifecycle` only.
 */
export class TokenRefresher {
  constructor(
    private readonly deps: { campusOne: CampusOne; sessions: SessionLifecycle; locks: Locks; keys: Keys; metrics: Metrics; log: Logger; now: () => number },
  ) {}

  private due(req: Request): boolean {
    return refreshDue(req.session, this.deps.now());
  }

  /** Counted in `porter_token_refreshes_total` by outcome (`error` when the store failed). */
  async refreshIfDue(req: Request): Promise<RefreshOutcome> {
    if (!this.due(req)) return 'not-due';
    const { locks, keys, metrics } = this.deps;
    try {
      const flight = await singleFlight(locks, keys.refreshLock(req.sessionID), LOCK_TTL_MS, () => this.refreshLocked(req));
      const outcome = flight.ran ? flight.value : 'busy';
      metrics.tokenRefresh(outcome.replace('-', '_'));
      return outcome;
    } catch (err) {
      metrics.tokenRefresh('error');
      throw err;
    }
  }

  private async refreshLocked(req: Request): Promise<RefreshOutcome> {
    const { sessions, log, now } = this.deps;
    if (!(await sessions.reload(req))) return 'ended';
    const user = req.session.user;
    if (!user) return 'ended';
    if (!this.due(req)) return 'not-due';
    const current = await sessions.tokens(req);
    if (!current?.refreshToken) {
      sessions.neverRefresh(req);
      return 'cannot-refresh';
    }
    try {
      const configuration = await this.deps.campusOne.configuration();
      const next = await refresh(configuration, current, now, this.deps.campusOne.clockToleranceS);
      await sessions.replaceTokens(req, next.tokens, next.accessTokenExpiresAt);
      return 'refreshed';
    } catch (err) {
      const sub = user.sub;
      if (isGrantRevoked(err)) {
        log.info({ code: ErrorCode.RefreshRevoked, sub }, 'Campus One revoked the grant; session ended');
        await sessions.end(req);
        return 'ended';
      }
      if (oauthErrorOf(err) === 'invalid_client') {
        log.error({ code: ErrorCode.ClientRejected, err, sub }, 'Campus One refused this server’s client credentials; check CAMPUS_ONE_CLIENT_ID and CAMPUS_ONE_CLIENT_SECRET');
      } else {
        log.warn({ err, sub }, 'token refresh failed; the session continues');
      }
      await sessions.deferRefresh(req, now() + REFRESH_RETRY_MS);
      return 'failed';
    }
  }
}
