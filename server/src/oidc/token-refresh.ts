import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { refreshDue } from '../session/lifetime.js';
import type { Sessions } from '../session/sessions.js';
import type { CampusOne } from './campus-one.js';
import { refresh } from './flow.js';
import { isGrantRevoked, oauthErrorOf } from './protocol-errors.js';

/** After a failed refresh, page views answer from the store this long before the next try. */
export const REFRESH_RETRY_MS = 60_000;
const LOCK_TTL_MS = 15_000;

/** `cannot-refresh`: a session stored without a refresh token, now marked never due. */
export type RefreshOutcome = 'not-due' | 'refreshed' | 'busy' | 'failed' | 'cannot-refresh' | 'ended';

/**
 * Refreshes a session's access token when it is about to expire, as oauth2-proxy does: under
 * a Redis lock so one request on one instance refreshes, reloading the session under the lock
 * to see whether another already did, and ending the session only when it is gone or Campus One
 * says the grant is (`invalid_grant`). Other failures keep the session and wait
 * {@link REFRESH_RETRY_MS} before the next try, so page views meanwhile stay one read.
 */
export class TokenRefresher {
  constructor(
    private readonly deps: { campusOne: CampusOne; sessions: Sessions; kv: Kv; keys: Keys; log: Logger; now: () => number },
  ) {}

  private due(req: Request): boolean {
    return refreshDue(req.session, this.deps.now());
  }

  async refreshIfDue(req: Request): Promise<RefreshOutcome> {
    if (!this.due(req)) return 'not-due';
    const { kv, keys } = this.deps;
    const lock = keys.refreshLock(req.sessionID);
    // Its own value, so a holder that outlived the lock's time to live frees only its own.
    const holder = randomUUID();
    if (!(await kv.setIfAbsent(lock, holder, LOCK_TTL_MS))) return 'busy';
    try {
      return await this.refreshLocked(req);
    } finally {
      await kv.delIfEquals(lock, holder);
    }
  }

  private async refreshLocked(req: Request): Promise<RefreshOutcome> {
    const { kv, keys, sessions, log } = this.deps;
    try {
      await sessions.reload(req);
    } catch (err) {
      // express-session fails a reload of a session the store no longer has: it was ended meanwhile.
      if (!(await kv.exists(keys.session(req.sessionID)))) return 'ended';
      throw err;
    }
    if (!req.session.user) return 'ended';
    if (!this.due(req)) return 'not-due';
    const current = await sessions.tokens(req);
    if (!current?.refreshToken) {
      // Stored before sign-in began recording `null` for such sessions: mark it, so it stops being due.
      req.session.accessTokenExpiresAt = null;
      return 'cannot-refresh';
    }
    try {
      const configuration = await this.deps.campusOne.configuration();
      const next = await refresh(configuration, current, this.deps.now, this.deps.campusOne.clockToleranceS);
      await sessions.replaceTokens(req, next.tokens, next.accessTokenExpiresAt);
      return 'refreshed';
    } catch (err) {
      const sub = req.session.user.sub;
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
      req.session.refreshRetryAt = this.deps.now() + REFRESH_RETRY_MS;
      await new Promise<void>((resolve, reject) => req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve())));
      return 'failed';
    }
  }
}
