import express, { Router } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { noStore } from '../http/headers.js';
import type { LogoutTokens } from '../oidc/logout-token.js';
import type { Metrics } from '../ops/metrics.js';
import { countOutcome, setOutcome } from '../ops/outcome.js';
import { sessionChange, type AuthEvents } from '../reports/auth-events.js';
import type { SessionDirectory } from '../session/directory.js';

export interface BackchannelLogoutRouterDeps {
  logoutTokens: LogoutTokens;
  directory: SessionDirectory;
  authEvents: AuthEvents;
  metrics: Metrics;
  log: Logger;
}

/**
 * `POST /auth/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0 §2.5): Campus One,
 * not a browser, calls it, so it needs neither the session cookie nor the CSRF header. Mount it
 * before the session middleware. Answers 200 once the sessions are gone, 400 when the token is
 * refused (nothing deleted), both `Cache-Control: no-store` (§2.8).
 */
export function backchannelLogoutRouter(deps: BackchannelLogoutRouterDeps): Router {
  const { logoutTokens, directory, authEvents, metrics, log } = deps;
  const router = Router();
  router.post('/backchannel-logout', countOutcome((outcome) => metrics.backchannelLogout(outcome)), noStore, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token: unknown = req.body?.logout_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new AppError(400, ErrorCode.InvalidLogoutToken, 'Expected a form-encoded POST with a "logout_token".');
    }
    const logout = await logoutTokens.verify(token);
    const ended =
      logout.sid !== null
        ? await directory.endProviderSession(logout.sid, logout.sub)
        : { ...(await directory.endAllOfUser(logout.sub)), sub: logout.sub };
    log.info({ sid: logout.sid, sub: ended.sub, sessions: ended.sessions }, 'sessions ended by back-channel logout');
    // A `sid` alone that matches no live session names nobody: nothing to report.
    if (ended.sub) {
      await authEvents.record(sessionChange(ended.sub, ended, { source: 'backchannel_logout' }));
    }
    setOutcome(res, ended.sessions > 0 ? 'ended' : 'no_session');
    res.json({ ok: true });
  });
  return router;
}
