import type { CustomFetch, CustomFetchOptions } from 'openid-client';
import { Agent, request, Response } from 'undici';

/**
 * How openid-client reaches Campus One (its `customFetch`): undici's `request` on a keep-alive
 * connection pool, the answer read whole and handed back as a `Response`. The global `fetch`
 * builds a WHATWG Request, Headers and web streams for every call, which made the token request
 * cost several times the CPU of the HTTP exchange itself on every sign-in.
 *
 * Behaves as `fetch` does where openid-client can tell: never follows a redirect, ends with the
 * `signal`'s reason (openid-client's timeout, a `TimeoutError`) when it aborts, and rejects with
 * `TypeError('fetch failed')`, the cause kept, when Campus One cannot be reached, so
 * `fromProtocolError` answers 503 `porter/provider_unavailable` for either.
 */
export function createProviderFetch(dispatcher: Agent = new Agent()): CustomFetch {
  return async (url, options) => {
    const { signal } = options;
    try {
      const answer = await request(url, {
        method: options.method,
        headers: options.headers,
        body: requestBody(options.body),
        dispatcher,
        ...(signal ? { signal } : {}),
      });
      const body = await answer.body.text();
      const headers: [string, string][] = [];
      for (const [name, value] of Object.entries(answer.headers)) {
        if (Array.isArray(value)) for (const one of value) headers.push([name, one]);
        else if (value !== undefined) headers.push([name, value]);
      }
      // A 1xx, 204 or 304 carries no body, and a Response refuses one for them.
      const empty = answer.statusCode === 204 || answer.statusCode === 304 || answer.statusCode < 200;
      return new Response(empty ? null : body, { status: answer.statusCode, headers }) as unknown as globalThis.Response;
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause });
    }
  };
}

/** What openid-client sends (a form, or nothing) as undici's request body. */
function requestBody(body: CustomFetchOptions['body']): string | Uint8Array | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('"body" must not be a stream: openid-client sends none to Campus One');
}
