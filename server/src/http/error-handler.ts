import { ErrorCode } from '@porter/shared';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, toAppError } from '../errors.js';
import { errorPage, wantsErrorPage } from './html-error.js';

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(ErrorCode.NotFound, 'No such route.'));
};

/** The one place errors become responses: JSON with a code (a page for sign-in steps), never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = toAppError(err);
    const level = error.status >= 500 ? 'error' : 'warn';
    log[level]({ code: error.code, status: error.status, method: req.method, path: req.path, err: error.cause ?? err }, error.message);
    if (res.headersSent) return;
    res.status(error.status);
    if (wantsErrorPage(req)) res.type('html').send(errorPage(error.status, error.code, error.message));
    else res.json(errorBody(error.code, error.message));
  };
}
