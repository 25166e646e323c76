import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** The server answers JSON and a few plain pages: nothing on it should be framed, sniffed or referred. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = Object.entries({
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The callback URL carries the authorization code: never leak it in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
});

/** Sets {@link SECURITY_HEADERS}, with plain setHeader (res.set checks each call for a content type). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
}

/** {@link setSecurityHeaders} on every request Express answers. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  setSecurityHeaders(res);
  next();
};

/** Identity answers must never be cached by a browser or a proxy. */
export const NO_STORE = 'no-store';

export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', NO_STORE);
  next();
};
