import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@porter/shared';
import { Agent, stream } from 'undici';
import { AppError } from '../errors.js';

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1, and the older names still seen): they describe one
 * connection, so they never cross the proxy in either direction, nor do the fields that a
 * `Connection` header names.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Request fields that never leave the BFF: the browser's credentials for Porter (`Cookie`, any
 * `Authorization` it sends, the CSRF header), the client's claims about where it came from
 * (Porter sets its own), `Host` (the upstream's own is sent), and `Expect` (Node answers
 * `100-continue` itself).
 */
const NOT_FORWARDED = new Set(['cookie', 'authorization', 'x-csrf', 'host', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'expect']);

/** Response fields never passed back: the upstream must not set cookies on the app's origin. */
const NOT_RETURNED = new Set(['set-cookie', 'set-cookie2']);

type Headers = Record<string, string | string[] | undefined>;

/** The names a `Connection` field lists, lower-case. */
function connectionOptions(headers: Headers): Set<string> {
  const value = headers['connection'];
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(list.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}

/** `headers` without the hop-by-hop fields, those `Connection` names, and `dropped`. */
export function endToEnd(headers: Headers, dropped: ReadonlySet<string>): Record<string, string | string[]> {
  const named = connectionOptions(headers);
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower) || dropped.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}

export interface ForwardOptions {
  /** No response headers within this many ms: 504 `porter/upstream_timeout`; also the longest pause inside a body. */
  timeoutMs: number;
  /** The app's public origin (APP_URL): the `X-Forwarded-Proto` and `X-Forwarded-Host` the upstream sees. */
  appUrl: string;
}

/**
 * Sends one request to an upstream and streams its answer back. `clientAddress` is the client's
 * address as `trust proxy` resolved it (Express's `req.ip`): the `X-Forwarded-For` sent.
 */
export type Forward = (req: IncomingMessage, res: ServerResponse, target: string, headers: Record<string, string>, clientAddress: string | undefined) => Promise<void>;

/**
 * A reverse proxy on undici (`stream`, with one keep-alive connection pool per upstream
 * origin). Bodies stream both ways with backpressure, never buffered whole. The request keeps
 * its method, end-to-end headers (less {@link NOT_FORWARDED}) and body; `headers` are added
 * (the caller's `Authorization`), and `X-Forwarded-For/Proto/Host` say what Porter knows: the
 * client address as `trust proxy` resolved it, and APP_URL's scheme and host. The upstream's
 * status and end-to-end headers (less `Set-Cookie`) pass back unchanged, 4xx and 5xx included.
 *
 * Rejects with 502 `porter/upstream_unavailable` when the upstream cannot be reached, and 504
 * `porter/upstream_timeout` when its headers do not come within `timeoutMs`. A client that
 * goes away aborts the upstream request; a failure after the headers were sent cuts the
 * response short (the status can no longer change).
 */
export function createForward(options: ForwardOptions): Forward {
  const dispatcher = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, connect: { timeout: options.timeoutMs } });
  const app = new URL(options.appUrl);
  const forwardedProto = app.protocol.slice(0, -1);

  return async (req, res, target, headers, clientAddress) => {
    const outgoing = {
      ...endToEnd(req.headers, NOT_FORWARDED),
      ...headers,
      'x-forwarded-for': clientAddress ?? req.socket.remoteAddress ?? '',
      'x-forwarded-proto': forwardedProto,
      'x-forwarded-host': app.host,
    };
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const aborted = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) aborted.abort();
    };
    res.on('close', onClose);
    try {
      await stream(
        target,
        { dispatcher, method: req.method as 'GET', headers: outgoing, body: hasBody ? req : null, signal: aborted.signal },
        ({ statusCode, headers: answered }) => {
          res.statusCode = statusCode;
          for (const [name, value] of Object.entries(endToEnd(answered, NOT_RETURNED))) res.setHeader(name, value);
          return res;
        },
      );
    } catch (err) {
      if (aborted.signal.aborted) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      throw upstreamError(err);
    } finally {
      res.off('close', onClose);
    }
  };
}

function upstreamError(err: unknown): AppError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new AppError(504, ErrorCode.UpstreamTimeout, 'The API did not answer in time.', { cause: err });
  }
  return new AppError(502, ErrorCode.UpstreamUnavailable, 'The API cannot be reached. Try again shortly.', { cause: err });
}
