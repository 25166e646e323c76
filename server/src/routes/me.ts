import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import { sendAnswer } from '../http/send-answer.js';
import type { TokenRefresher } from '../oidc/token-refresh.js';
import { signedIn } from '../session/data.js';
import { hasExpired, touchDue } from '../session/lifetime.js';
import { signedInAnswer, UNAUTHENTICATED } from '../session/read-path.js';
import type { Sessions } from '../session/sessions.js';

/** `GET /auth/me` behind express-session: what the shortcut leaves to it (see session/read-path.ts). */
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
