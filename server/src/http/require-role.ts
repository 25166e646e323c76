import { ErrorCode, hasAnyRole } from '@porter/shared';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { signedInSessionOf } from '../session/read-only.js';

/** 401 JSON `porter/unauthenticated`: what an API caller without a session gets, never a redirect. */
const notSignedIn = (): AppError => new AppError(401, ErrorCode.Unauthenticated, 'Not signed in.');

/** Lets a signed-in request through; otherwise {@link notSignedIn}. */
export const requireSignedIn: RequestHandler = (req, _res, next) => {
  next(signedInSessionOf(req) ? undefined : notSignedIn());
};

/**
 * Lets the request through when its session's user holds one of `roles`, by `role` or `roles`.
 * Not signed in is a 401 and signed in without the role a 403, both JSON: API callers are never
 * redirected. The session's idle expiry is the store's time to live, so an ended session is absent.
 */
export function requireRole(...roles: readonly string[]): RequestHandler {
  if (roles.length === 0) throw new TypeError('"roles" must name at least one role');
  return (req, _res, next) => {
    const session = signedInSessionOf(req);
    if (!session) return next(notSignedIn());
    if (!hasAnyRole(session.data.user, roles)) {
      return next(new AppError(403, ErrorCode.Forbidden, `This needs one of these roles: ${roles.join(', ')}.`));
    }
    next();
  };
}
