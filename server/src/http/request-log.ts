import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
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

/**
 * One JSON line per request Express answers, through pino-http: `requestId` (echoed in
 * `X-Request-Id`), `req` {method, path, group, ip}, `res` {status}, `durationMs`, and the error
 * `code` when the answer was an error. `req.log` carries the request id, so the error handler's
 * lines carry it too. Mount first.
 */
export function requestLog(log: Logger, trusted: TrustProxy): RequestHandler {
  return pinoHttp<Request, Response>({
    logger: log,
    genReqId: (req, res) => {
      const id = requestId(req, trusted);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    wrapSerializers: false,
    serializers: { req: requestFields, res: (res: Response) => ({ status: res.statusCode }) },
    customLogLevel: (_req, res) => (res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (_req, res, line: object) => withCode(res, line),
    // The error handler logged the error itself, with its cause; the request line keeps the code.
    customErrorObject: (_req, res, _err, line: object) => ({ ...withCode(res, line), err: undefined }),
  }) as unknown as RequestHandler;
}

function withCode(res: Response, line: object): object {
  const code = (res.locals as OutcomeLocals).errorCode;
  return code ? { ...line, code } : line;
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
