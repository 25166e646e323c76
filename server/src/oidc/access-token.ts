import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import { refreshDue } from '../session/lifetime.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
import { readOnlySessionOf } from '../session/read-only.js';
import { LOCK_TTL_MS, type TokenRefresher } from './token-refresh.js';

/** How often a request waiting for another's refresh reads the session again, in ms. */
const WAIT_POLL_MS = 25;
/** Access tokens kept opened, by their session's sealed tokens: the most recently opened sessions. */
const OPENED_ENTRIES = 1000;

const unauthenticated = () => new AppError(401, ErrorCode.Unauthenticated, 'Not signed in.');
const noAccessToken = () =>
  new AppError(403, ErrorCode.NoAccessToken, 'This sign-in carries no access token for the campus APIs: the identity provider (a django-sso gateway) issues none.');
const providerUnavailable = () =>
  new AppError(503, ErrorCode.ProviderUnavailable, 'Campus One cannot renew your access right now. Try again shortly.');

/**
 * The access token to send upstream for a signed-in request (the API proxy's `Authorization:
 * Bearer`), refreshed first when it is due, as `/auth/me` would. One refresh per session across
 * every instance (the refresh lock, `TokenRefresher`): a request that finds another refreshing
 * waits for it, reading the session every {@link WAIT_POLL_MS} ms, and uses the new token.
 */
export class AccessTokens {
  /**
   * Unsealing (JWE) costs more than the rest of a proxied request's own work, and every API
   * call of a session carries the same sealed tokens until a refresh replaces them: so each
   * sealed value is opened once. Keyed by the sealed value, a refresh's new tokens miss it.
   */
  private readonly opened = new Map<string, string>();

  constructor(private readonly deps: { sessions: SessionLifecycle; refresher: TokenRefresher; now: () => number }) {}

  /**
   * The current access token of `req`'s session. Throws 401 `porter/unauthenticated` when the
   * session is not signed in or a refresh ended it (`invalid_grant`, RFC 6749 §5.2), and 503
   * `porter/provider_unavailable` when a due refresh failed (the session is kept) or the token
   * has expired while a failed refresh waits to be retried. Throws 403 `porter/no_access_token`
   * for a session whose identity provider issued no access token (django-sso): never an empty one.
   */
  async current(req: Request): Promise<string> {
    const { refresher, now } = this.deps;
    // Read without express-session, and only when its token needed nothing (session/read-only.ts).
    const readOnly = readOnlySessionOf(req);
    if (readOnly) return this.ofSteadySession(readOnly.data);
    if (!req.session.user) throw unauthenticated();
    if (refreshDue(req.session, now())) {
      const outcome = await refresher.refreshIfDue(req);
      if (outcome === 'ended') throw unauthenticated();
      if (outcome === 'failed') throw providerUnavailable();
      if (outcome === 'busy') await this.awaitOtherRefresh(req);
    }
    if (expired(req, now())) throw providerUnavailable();
    return this.open(req.session.tokens);
  }

  /**
   * The access token of a session read in its steady state (`steadySession` in
   * session/read-only.ts: signed in, not expired, its token not due), which needs nothing before
   * use. Throws as {@link current} does for a session without one.
   */
  ofSteadySession(data: SessionData): Promise<string> {
    return this.open(data.tokens);
  }

  /** The access token in a session's sealed tokens (none: 401), opened once per sealed value; never an empty one. */
  private async open(sealed: string | undefined): Promise<string> {
    if (sealed === undefined) throw unauthenticated();
    let token = this.opened.get(sealed);
    if (token === undefined) {
      const tokens = await this.deps.sessions.openTokens(sealed);
      if (!tokens) throw unauthenticated();
      if (this.opened.size >= OPENED_ENTRIES) this.opened.delete(this.opened.keys().next().value ?? '');
      this.opened.set(sealed, tokens.accessToken);
      token = tokens.accessToken;
    }
    if (token === '') throw noAccessToken();
    return token;
  }

  /** Until the refresh another request holds the lock for has settled, as the stored session shows. */
  private async awaitOtherRefresh(req: Request): Promise<void> {
    const { sessions, now } = this.deps;
    const deadline = now() + LOCK_TTL_MS;
    while (now() < deadline) {
      await sleep(WAIT_POLL_MS);
      if (!(await sessions.reload(req)) || !req.session.user) throw unauthenticated();
      if (refreshDue(req.session, now())) continue;
      // Not due now: refreshed, or the other's refresh failed and the next waits (refreshRetryAt).
      if (req.session.refreshRetryAt !== undefined && req.session.refreshRetryAt > now()) throw providerUnavailable();
      return;
    }
    throw providerUnavailable();
  }
}

/** True when the session's access token has expired (a session that never refreshes never does). */
function expired(req: Request, now: number): boolean {
  const at = req.session.accessTokenExpiresAt;
  return typeof at === 'number' && at <= now;
}
