import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { AppError } from '../errors.js';
import { pathOf } from '../ops/route-group.js';
import { loggerFor } from './request-log.js';

/**
 * Logs an error answered to a client, with the request's id when it has one. A 5xx is Porter's
 * or a dependency's failure: one line at `error` with its cause and stack. A 4xx is an expected client error that anyone can send at will: one line at
 * `debug` with the code and the cause's message, never a stack, so refused requests cannot
 * flood the log (each request already has its own line in the request log).
 */
export function logAnswered(log: Logger, req: IncomingMessage & Partial<Pick<Request, 'originalUrl'>>, error: AppError, message: string = error.message): void {
  const logger = loggerFor(log, req);
  const fields = { code: error.code, status: error.status, method: req.method, path: pathOf(req.originalUrl ?? req.url ?? '') };
  if (error.status >= 500) {
    logger.error({ ...fields, err: error.cause ?? error }, message);
    return;
  }
  const cause: unknown = error.cause;
  logger.debug(cause instanceof Error ? { ...fields, reason: cause.message } : fields, message);
}
