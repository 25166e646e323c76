import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { OutcomeLocals } from '../ops/outcome.js';
import { pathOf, routeGroup } from '../ops/route-group.js';

/** Express's compiled `trust proxy` (`app.get('trust proxy fn')`): whether the hop at `address` is a trusted proxy. */
export type TrustProxy = (address: string, hop: number) => boolean;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a proxy's request id may look like: a UUID, a trace id, nothing that could forge a log line. */
const PROXY_REQUEST_ID = /^[\w.:@+=/-]{1,128}$/;

/**
 * The request's id: the `X-Request-Id` a trusted proxy (as `TRUST_PROXY` says) sent, so one id
 * follows a request from the load balancer on, else a fresh UUID. A client that talks to Porter
 * directly cannot choose the id its requests are logged under.
 */
export function requestId(req: IncomingMessage, trusted: TrustProxy): string {
  const incoming = req.headers['x-request-id'];
  const peer = req.socket.remoteAddress;
  if (typeof incoming === 'string' && peer !== undefined && trusted(peer, 0) && PROXY_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

/**
 * What a request line says: method, path without its query (the callback's query holds the code
 * and the state), route group and client address. Never a header: no cookie, no Authorization.
 */
function requestFields(req: IncomingMessage & Partial<Pick<Request, 'originalUrl' | 'ip'>>) {
  const path = pathOf(req.originalUrl ?? req.url ?? '');
  return { method: req.method, path, group: routeGroup(path), ip: req.ip ?? req.socket.remoteAddress };
}

/** Each request's id, for the lines logged about it besides its request line (`loggerFor`). */
const requestIds = new WeakMap<IncomingMessage, string>();

/** `log` with the request's id bound, when {@link requestLog} gave it one; for the rare lines besides the request line. */
export function loggerFor(log: Logger, req: IncomingMessage): Logger {
  const id = requestIds.get(req);
  return id === undefined ? log : log.child({ requestId: id });
}

/**
 * One JSON line per request Express answers, on pino, when the response finishes (or the
 * connection closes first): `requestId` (echoed in `X-Request-Id`), `req` {method, path, group,
 * ip}, `res` {status}, `durationMs`, and the error `code` when the answer was an error; at
 * `error` for a 5xx, else `info`. Lines logged about a request elsewhere carry its id through
 * {@link loggerFor}. Written on pino directly rather than through pino-http, which made two
 * child loggers per request (about a tenth of an API proxy call's CPU). Mount first.
 */
export function requestLog(log: Logger, trusted: TrustProxy): RequestHandler {
  return (req, res, next) => {
    const id = requestId(req, trusted);
    requestIds.set(req, id);
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = Date.now();
    // Read now: by the time the response finishes, the socket may be gone, and with it the address.
    const fields = requestFields(req);
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const status = res.statusCode;
      const code = (res.locals as OutcomeLocals).errorCode;
      const line = { requestId: id, req: fields, res: { status }, durationMs: Date.now() - started, ...(code ? { code } : {}) };
      if (status >= 500) log.error(line, 'request');
      else log.info(line, 'request');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/**
 * For `GET /auth/me` answered before Express: `null` unless the level is `debug`, so the hot
 * path's cost at `info` is one null check. At `debug`, the same line and `X-Request-Id` as for
 * other requests (the answer's status, its duration until the answer was ready).
 */
export function shortcutRequestLog(
  log: Logger,
  trusted: TrustProxy,
): ((req: IncomingMessage, res: ServerResponse, status: number, startedMs: number) => void) | null {
  if (!log.isLevelEnabled('debug')) return null;
  return (req, res, status, startedMs) => {
    const id = requestId(req, trusted);
    res.setHeader(REQUEST_ID_HEADER, id);
    log.debug(
      { requestId: id, req: requestFields(req), res: { status }, durationMs: Math.round(performance.now() - startedMs), answeredBy: 'shortcut' },
      'request',
    );
  };
}
