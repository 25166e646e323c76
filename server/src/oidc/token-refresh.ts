import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import type { Sessions } from '../session/sessions.js';
import type { CampusOne } from './campus-one.js';
import { refresh } from './flow.js';
import { isGrantRevoked } from './protocol-errors.js';

/** Refresh this long before the access token expires, so a page never meets an expired one. */
export const REFRESH_BEFORE_MS = 60_000;
const LOCK_TTL_MS = 15_000;

/** True when the access token expires within {@link REFRESH_BEFORE_MS}; `null`: it never expires. */
export function refreshDue(accessTokenExpiresAt: number | null | undefined, now: number): boolean {
  return typeof accessTokenExpiresAt === 'number' && accessTokenExpiresAt - now <= REFRESH_BEFORE_MS;
}

export type RefreshOutcome = 'not-due' | 'refreshed' | 'busy' | 'failed' | 'ended';

/**
 * Refreshes a session's access token when it is about to expire, as oauth2-proxy does: under
 * a Redis lock so one request on one instance refreshes, reloading the session under the lock
 * to see whether another already did, and ending the session only when Campus One says the
 * grant is gone (`invalid_grant`, `invalid_client`). Other failures keep the session.
 */
export class TokenRefresher {
  constructor(
    private readonly deps: { campusOne: CampusOne; sessions: Sessions; kv: Kv; keys: Keys; log: Logger; now: () => number },
  ) {}

  private due(req: Request): boolean {
    return refreshDue(req.session.accessTokenExpiresAt, this.deps.now());
  }

  async refreshIfDue(req: Request): Promise<RefreshOutcome> {
    if (!this.due(req)) return 'not-due';
    const { kv, keys, sessions, log } = this.deps;
    const lock = keys.refreshLock(req.sessionID);
    if (!(await kv.setIfAbsent(lock, '1', LOCK_TTL_MS))) return 'busy';
    try {
      await sessions.reload(req);
      if (!req.session.user) return 'ended';
      if (!this.due(req)) return 'refreshed';
      const current = await sessions.tokens(req);
      if (!current?.refreshToken) return 'not-due';
      const configuration = await this.deps.campusOne.configuration();
      const next = await refresh(configuration, current, this.deps.now);
      await sessions.replaceTokens(req, next.tokens, next.accessTokenExpiresAt);
      return 'refreshed';
    } catch (err) {
      if (isGrantRevoked(err)) {
        log.info({ code: 'porter/refresh_revoked', sub: req.session.user?.sub }, 'Campus One revoked the grant; session ended');
        await sessions.end(req);
        return 'ended';
      }
      log.warn({ err, sub: req.session.user?.sub }, 'token refresh failed; the session continues');
      return 'failed';
    } finally {
      await kv.del(lock);
    }
  }
}
