import { ErrorCode, type ErrorBody } from '@porter/shared';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorPage, wantsErrorPage } from './http/html-error.js';

/** An error meant for the client: a stable code, an HTTP status, and the cause kept for the log. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Errors raised by body parsers and other middleware carry `status` and `type`. */
function fromMiddleware(err: unknown): AppError | null {
  if (!err || typeof err !== 'object' || !('status' in err) || typeof err.status !== 'number') return null;
  if (err.status === 413) return new AppError(413, ErrorCode.PayloadTooLarge, 'The request body is too large.', { cause: err });
  if (err.status >= 400 && err.status < 500) {
    return new AppError(400, ErrorCode.BadRequest, 'The request body could not be read.', { cause: err });
  }
  return null;
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(ErrorCode.NotFound, 'No such route.'));
};

/** The one place errors become responses: JSON with a code, never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : fromMiddleware(err);
    const error = known ?? new AppError(500, ErrorCode.Internal, 'Something went wrong.', { cause: err });
    const level = error.status >= 500 ? 'error' : 'warn';
    log[level]({ code: error.code, status: error.status, method: req.method, path: req.path, err: error.cause ?? err }, error.message);
    if (res.headersSent) return;
    res.status(error.status);
    if (wantsErrorPage(req)) res.type('html').send(errorPage(error.status, error.code, error.message));
    else res.json(errorBody(error.code, error.message));
  };
}
