import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { SESSION_COOKIE } from '@porter/shared';
import type { MeResponse } from '@porter/shared';

/**
 * What the BFF says about a visitor, as the proxy and the pages need it. `unavailable` covers
 * every answer that is neither a session nor a clean 401: the BFF unreachable, slow, failing or
 * answering something this app does not understand.
 */
export type SessionLookup =
  | { readonly status: 'signed-in'; readonly me: MeResponse }
  /**
   * `silentSignIn: false`: the BFF said its identity provider cannot sign a visitor in without a
   * page (django-sso); absent when it did not say or was not asked.
   */
  | { readonly status: 'anonymous'; readonly silentSignIn?: false }
  | { readonly status: 'unavailable'; readonly reason: string };

const SESSION_COOKIE_NAMES: ReadonlySet<string> = new Set([SESSION_COOKIE.insecure, SESSION_COOKIE.secure]);

/** The `name=value` pairs of a `Cookie` header, values left exactly as the browser sent them. */
export function parseCookieHeader(header: string | null): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    // The first occurrence wins, as in the `cookie` package the BFF parses with.
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * The `Cookie` header to forward to the BFF: every session cookie of `header`, under either
 * name and in the browser's order, or `null` when the visitor has none.
 *
 * Every one counts, not only the first: a browser may hold a stale session cookie on a longer
 * path (an older deployment, another app on the host), which it sends first; the BFF picks the
 * one that names a live session. Forwarding only the first would send a signed-in visitor to
 * sign in on every page view, a redirect loop.
 *
 * Both names count too. The BFF picks `__Host-porter.sid` or `porter.sid` from its own `APP_URL`;
 * behind a TLS-terminating load balancer this app cannot tell which one the BFF chose. Only
 * session cookies leave the app: the BFF needs nothing else.
 */
export function sessionCookieHeader(header: string | null): string | null {
  const pairs: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (SESSION_COOKIE_NAMES.has(name) && value !== '') pairs.push(`${name}=${value}`);
  }
  return pairs.length > 0 ? pairs.join('; ') : null;
}

/** Turns a `GET /auth/me` answer into a {@link SessionLookup}; no network, so tests need none. */
export function interpretMeResponse(status: number, body: unknown): SessionLookup {
  if (status === 200) {
    return isMeResponse(body)
      ? { status: 'signed-in', me: body }
      : { status: 'unavailable', reason: '/auth/me answered 200 with a body that is not a MeResponse' };
  }
  if (status === 401) {
    return isRecord(body) && isRecord(body.signIn) && body.signIn.silent === false ? { status: 'anonymous', silentSignIn: false } : { status: 'anonymous' };
  }
  return { status: 'unavailable', reason: `/auth/me answered ${status}` };
}

export interface LookupOptions {
  /** The BFF's origin, without a trailing slash. */
  readonly bffUrl: string;
  readonly timeoutMs: number;
}

// Kept alive and shared by every lookup of this process: successive lookups reuse connections.
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;

/** The request options of `GET {bffUrl}/auth/me`, made once per BFF origin rather than per lookup. */
const meRequests = new Map<string, RequestOptions>();

function meRequest(bffUrl: string): RequestOptions {
  let options = meRequests.get(bffUrl);
  if (options === undefined) {
    const url = new URL('/auth/me', bffUrl);
    options = { ...urlToHttpOptions(url), agent: url.protocol === 'https:' ? AGENTS['https:'] : AGENTS['http:'] };
    meRequests.set(bffUrl, options);
  }
  return options;
}

/** What a lookup that ran out of time fails with (`describeRequestError` words it). */
function timeoutError(): Error {
  const error = new Error('the lookup timed out');
  error.name = 'TimeoutError';
  return error;
}

/**
 * `GET {bffUrl}/auth/me` with `headers`: the status and the whole body as text. Rejects on a
 * network error, or once `timeoutMs` has passed without the whole answer.
 *
 * node:http rather than the global `fetch`: a lookup runs on every signed-in page view, and
 * `fetch` (undici's WHATWG layer: Request, Headers, Response and a web stream per call) cost
 * about twice the CPU per call here, measured against a local server. The time limit is one
 * plain timer, cleared with the answer's end, rather than an `AbortSignal.timeout` and a URL
 * parsed per call, which cost about a quarter more CPU per lookup (web/README.md).
 */
function getMe(bffUrl: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
  const options = meRequest(bffUrl);
  const send = options.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send({ ...options, headers });
    const timer = setTimeout(() => request.destroy(timeoutError()), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    request
      .on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text });
        });
        response.on('error', fail);
      })
      .on('error', fail)
      .end();
  });
}

/**
 * Asks the BFF who the visitor is. Never throws: a network failure or a timeout is
 * `unavailable`. With `cookie` null it asks as an anonymous visitor, which tells whether the BFF
 * is up at all (it answers 401). The body is always read to the end, so the connection goes
 * back to the pool.
 */
export async function lookupSession(cookie: string | null, options: LookupOptions): Promise<SessionLookup> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (cookie !== null) headers.cookie = cookie;
  try {
    const { status, text } = await getMe(options.bffUrl, headers, options.timeoutMs);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return interpretMeResponse(status, body);
  } catch (error) {
    return { status: 'unavailable', reason: describeRequestError(error, options.timeoutMs) };
  }
}

function describeRequestError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `/auth/me did not answer within ${timeoutMs} ms`;
    if ('code' in error && typeof error.code === 'string') return `/auth/me failed: ${error.code}`;
    return `/auth/me failed: ${error.message}`;
  }
  return '/auth/me failed';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string';

/** Checks the fields this app relies on; the rest of `User` is rendered defensively. */
export function isMeResponse(value: unknown): value is MeResponse {
  if (!isRecord(value) || !isRecord(value.user) || !isRecord(value.session)) return false;
  const { user, session } = value;
  return (
    typeof user.sub === 'string' &&
    typeof user.name === 'string' &&
    isStringOrNull(user.role) &&
    Array.isArray(user.roles) &&
    user.roles.every((role) => typeof role === 'string') &&
    typeof session.expiresAt === 'string' &&
    typeof session.absoluteExpiresAt === 'string'
  );
}
