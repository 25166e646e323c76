import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { outcomeOf } from '../ops/outcome.js';
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
function requestFields(req: IncomingMessage & Partial<Pick<Request, 'originalUrl'>>, ip: string | undefined) {
  const path = pathOf(req.originalUrl ?? req.url ?? '');
  return { method: req.method, path, group: routeGroup(path), ip };
}

/** Each request's id, for the lines logged about it besides its request line (`loggerFor`). */
const requestIds = new WeakMap<IncomingMessage, string>();

/** `log` with the request's id bound, when {@link requestLog} gave it one; for the rare lines besides the request line. */
export function loggerFor(log: Logger, req: IncomingMessage): Logger {
  const id = requestIds.get(req);
  return id === undefined ? log : log.child({ requestId: id });
}

/**
 * `log` without redaction, for lines whose every field is built from values that are never
 * secret (the request line, the sign-in line). Redaction with wildcard paths copies every object
 * it logs: about 80 µs per line, the largest share of an API call's logging.
 */
export function unredacted(log: Logger): Logger {
  return log.child({}, { redact: [] });
}

/** Writes a request's line: {@link logRequest} with the logger bound. */
export type RequestLine = (req: IncomingMessage, res: ServerResponse, ip: string | undefined, startedMs?: number) => void;

/**
 * One JSON line per request, on pino, when the response finishes (or the connection closes
 * first): `requestId` (echoed in `X-Request-Id`), `req` {method, path, group, ip (the client's
 * address as `trust proxy` resolves it)}, `res` {status}, `durationMs`, and the error `code`
 * when the answer was an error; at `error` for a 5xx, else `info`. `startedMs` is when the
 * request came (`performance.now()`), now unless said. Lines logged about a request
 * elsewhere carry its id through {@link loggerFor}. Written on pino directly rather than through
 * pino-http, which made two child loggers per request (about a tenth of an API proxy call's
 * CPU), and without redaction (`unredacted`): the line holds only the fields above. For Express
 * ({@link requestLog}) and for the API proxy's answers before Express (`http/api-shortcut.ts`).
 */
export function logRequest(log: Logger, trusted: TrustProxy): RequestLine {
  const lines = unredacted(log);
  return (req, res, ip, startedMs = performance.now()) => {
    const id = requestId(req, trusted);
    requestIds.set(req, id);
    res.setHeader(REQUEST_ID_HEADER, id);
    // Read now: by the time the response finishes, the socket may be gone, and with it the address.
    const fields = requestFields(req, ip);
    // A response emits `close` once, after `finish` or when the connection closes first.
    res.once('close', () => {
      const status = res.statusCode;
      const code = outcomeOf(res).errorCode;
      const line = { requestId: id, req: fields, res: { status }, durationMs: Math.round(performance.now() - startedMs), ...(code ? { code } : {}) };
      if (status >= 500) lines.error(line, 'request');
      else lines.info(line, 'request');
    });
  };
}

/** {@link logRequest} for every request Express answers. Mount first. */
export function requestLog(log: Logger, trusted: TrustProxy): RequestHandler {
  const line = logRequest(log, trusted);
  return (req, res, next) => {
    line(req, res, req.ip);
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
  const lines = unredacted(log);
  return (req, res, status, startedMs) => {
    const id = requestId(req, trusted);
    res.setHeader(REQUEST_ID_HEADER, id);
    lines.debug(
      { requestId: id, req: requestFields(req, req.socket.remoteAddress), res: { status }, durationMs: Math.round(performance.now() - startedMs), answeredBy: 'shortcut' },
      'request',
    );
  };
}
