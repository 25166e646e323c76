import { CSRF_HEADER, ErrorCode } from '@porter/shared';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/**
 * State-changing browser requests must carry `X-CSRF: 1`. A cross-site form cannot set a custom
 * header, and a cross-site fetch that sets one needs a CORS preflight that Porter never grants.
 */
export const requireCsrfHeader: RequestHandler = (req, _res, next) => {
  if (req.get(CSRF_HEADER) === '1') return next();
  next(new AppError(403, ErrorCode.CsrfRequired, `This request must carry the header "X-CSRF: 1".`));
};

/**
 * For writes that only the web app's own pages may make (ending sessions): `X-CSRF: 1`, and
 * when the browser says where the request comes from, it must be the app's origin: `Origin`
 * equal to `appOrigin`, `Sec-Fetch-Site: same-origin` (Fetch Metadata). Non-browser clients send
 * neither header; a browser always sends at least one on a cross-site write. Answers 403
 * `porter/csrf_required` otherwise.
 */
export function requireSameOriginWrite(appOrigin: string): RequestHandler[] {
  const sameOrigin: RequestHandler = (req, _res, next) => {
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    if ((origin === undefined || origin === appOrigin) && (site === undefined || site === 'same-origin')) return next();
    next(new AppError(403, ErrorCode.CsrfRequired, 'This request must come from the app’s own pages.'));
  };
  return [requireCsrfHeader, sameOrigin];
}

/** Methods that must not change state (RFC 9110 §9.2.1), so they need no CSRF proof. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * {@link requireSameOriginWrite} for every method but GET, HEAD and OPTIONS, which pass: for the
 * API proxy, whose routes take any method and whose upstreams must keep those free of effects.
 */
export function requireSameOriginUnlessSafe(appOrigin: string): RequestHandler[] {
  return requireSameOriginWrite(appOrigin).map((guard): RequestHandler => (req, res, next) => (SAFE_METHODS.has(req.method) ? next() : guard(req, res, next)));
}
