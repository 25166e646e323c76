import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import { sendAnswer } from '../http/send-answer.js';
import type { TokenRefresher } from '../oidc/token-refresh.js';
import { signedIn } from '../session/data.js';
import { nextStep, signedInAnswer, unauthenticatedAnswer } from '../session/read-path.js';
import type { SessionLifecycle } from '../session/lifecycle.js';

/**
 * `GET /auth/me` behind express-session: the steps of the read path (session/read-path.ts) that
 * write, which the shortcut before Express leaves to it. express-session does not read the
 * session again: the shortcut handed over what it read (`SessionReader.handOver`).
 */
export function meHandler(deps: { config: Config; sessions: SessionLifecycle; refresher: TokenRefresher; now: () => number }): RequestHandler {
  const { config, sessions, refresher, now } = deps;
  const rules = config.session;
  const anonymous = unauthenticatedAnswer(config);
  return async (req, res) => {
    let session = signedIn(req.session);
    if (!session) return sendAnswer(res, anonymous);
    const current = now();
    let step = nextStep(session, current, rules);
    if (step === 'refresh') {
      if ((await refresher.refreshIfDue(req)) === 'ended') return sendAnswer(res, anonymous);
      // A refresh reloads the session: decide again on what is stored now.
      session = signedIn(req.session);
      if (!session) return sendAnswer(res, anonymous);
      step = nextStep(session, current, rules, true);
    }
    if (step === 'end') {
      await sessions.end(req);
      return sendAnswer(res, anonymous);
    }
    // Moving the idle expiry marks the session changed, so express-session writes it, once per interval.
    if (step === 'touch') {
      session.lastTouchedAt = current;
      await sessions.touched(req);
    }
    sendAnswer(res, signedInAnswer(session, rules.idleTimeoutMs));
  };
}
