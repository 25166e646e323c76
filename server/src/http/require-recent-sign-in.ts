import { ErrorCode } from '@porter/shared';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { authenticatedWithin } from '../session/lifetime.js';

/**
 * Lets the request through when its session's last authentication at Campus One is at most
 * `maxAgeS` seconds old (`PORTER_STEP_UP_MAX_AGE_S`); otherwise 401 JSON
 * `porter/step_up_required`, and the web app sends the person through
 * `/auth/login?step_up=1&returnTo=...` (routes/auth.ts) before they try again. Mount it after
 * `requireRole`, which answers a request without a session. `now` is ms since the epoch.
 */
export function requireRecentSignIn(maxAgeS: number, now: () => number): RequestHandler {
  return (req, _res, next) => {
    if (authenticatedWithin(req.session, now(), maxAgeS)) return next();
    next(new AppError(401, ErrorCode.StepUpRequired, `This needs a sign-in at Campus One within the last ${maxAgeS} seconds. Please sign in again.`));
  };
}
