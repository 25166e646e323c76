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
