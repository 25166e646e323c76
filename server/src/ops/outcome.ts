import type { ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';

/**
 * Where handlers and the error handler leave how a request ended, for metrics that count by
 * outcome: the route's own word (`applied`, `ended`...) or the error code it answered with.
 */
export interface OutcomeLocals {
  outcome?: string;
  errorCode?: string;
}

/**
 * The outcome recorded for `res`: Express's `res.locals`, made here for an answer given before
 * Express (`http/api-shortcut.ts`), as Express makes it.
 */
export function outcomeOf(res: ServerResponse): OutcomeLocals {
  const withLocals = res as ServerResponse & { locals?: OutcomeLocals };
  return (withLocals.locals ??= {});
}

/** Records the route's outcome on `res.locals`, for {@link countOutcome}. */
export function setOutcome(res: Response, outcome: string): void {
  (res.locals as OutcomeLocals).outcome = outcome;
}

/**
 * Calls `record` once the response is sent, with the route's outcome, else the error code it
 * answered with, else its status. Mount first on the route, so refusals before the handler
 * (a rate limit, a body too large) count too.
 */
export function countOutcome(record: (outcome: string, res: Response) => void): RequestHandler {
  return (_req, res, next) => {
    res.once('finish', () => {
      const locals = res.locals as OutcomeLocals;
      record(locals.outcome ?? locals.errorCode ?? String(res.statusCode), res);
    });
    next();
  };
}
