import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ErrorCode } from '@porter/shared';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, toAppError } from '../errors.js';
import type { OutcomeLocals } from '../ops/outcome.js';
import { pathOf } from '../ops/route-group.js';
import { logAnswered } from './error-log.js';
import { errorPage, wantsErrorPage } from './html-error.js';

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(ErrorCode.NotFound, 'No such route.'));
};

/** The one place errors become responses: JSON with a code (a page for sign-in steps), never a stack trace; logged by `logAnswered`. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = toAppError(err);
    logAnswered(log, req, error);
    (res.locals as OutcomeLocals).errorCode = error.code;
    if (res.headersSent) return;
    res.status(error.status);
    if (wantsErrorPage(req)) res.type('html').send(errorPage(error.status, error.code, error.message));
    else res.json(errorBody(error.code, error.message));
  };
}

/**
 * The Express app as a request listener whose last resort is the logger. An error reaches it
 * only when something reports one after the error handler has answered (express-session saving
 * or destroying on the way out). Express's default there (finalhandler) prints the stack to
 * stderr and destroys the socket, so a keep-alive client loses its next request too; here the
 * error is logged with its code and the connection lives on.
 */
export function withLoggedFinalErrors(app: Express, log: Logger): RequestListener {
  // Express 5 calls the third argument instead of finalhandler; its types omit it.
  const handle = app as unknown as (req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void) => void;
  return (req, res) =>
    handle(req, res, (err) => {
      const error = toAppError(err);
      // The path only: the callback's query string holds the code and the state.
      log.error({ code: error.code, status: error.status, method: req.method, path: pathOf(req.url ?? ''), err: error.cause ?? err }, 'error after the answer was sent');
      if (res.headersSent) return;
      res.statusCode = error.status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(errorBody(error.code, error.message)));
    });
}
