import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ErrorCode } from '@porter/shared';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, toAppError } from '../errors.js';
import { outcomeOf } from '../ops/outcome.js';
import { pathOf } from '../ops/route-group.js';
import { logAnswered } from './error-log.js';
import { errorPage, wantsErrorPage } from './html-error.js';

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(ErrorCode.NotFound, 'No such route.'));
};

/**
 * The one place errors become responses: JSON with a code (a page for sign-in steps, `asPage`),
 * never a stack trace; logged by `logAnswered`, its code left for the request log. Nothing is
 * sent once the headers are. For Express ({@link errorHandler}) and for the API proxy's
 * answers before Express (`http/api-shortcut.ts`).
 */
export function answerError(log: Logger, req: IncomingMessage, res: ServerResponse, err: unknown, asPage = false): void {
  const error = toAppError(err);
  logAnswered(log, req, error);
  outcomeOf(res).errorCode = error.code;
  if (res.headersSent) return;
  const [type, body] = asPage
    ? ['text/html; charset=utf-8', errorPage(error.status, error.code, error.message)]
    : ['application/json; charset=utf-8', JSON.stringify(errorBody(error.code, error.message))];
  res.writeHead(error.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** {@link answerError} as Express's error handler. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => answerError(log, req, res, err, wantsErrorPage(req));
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
