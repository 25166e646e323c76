import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import type { Config } from '../config.js';
import { signedIn } from './data.js';
import { hasExpired } from './lifetime.js';
import { cookiePairs, type SessionReader } from './reader.js';

/**
 * The first of `ids` that names a live session (signed in, not past its expiry), or `null`.
 * A store failure is thrown, never read as "no session".
 */
export async function liveSessionId(reader: SessionReader, ids: readonly string[], now: number, idleTimeoutMs: number): Promise<string | null> {
  for (const id of ids) {
    const stored = await reader.read(id);
    const session = stored === null ? null : signedIn(JSON.parse(stored) as Partial<SessionData>);
    if (session && !hasExpired(session, now, idleTimeoutMs)) return id;
  }
  return null;
}

/**
 * A browser can hold several cookies with the session's name: one left on a longer path by an
 * older deployment or another app on the host is sent first (RFC 6265 §5.4), and
 * express-session, like the `cookie` package, reads only the first. A stale first cookie then
 * hides the live one, and every page view sends the visitor to sign in again: a redirect loop.
 *
 * So before express-session runs, a request carrying more than one leaves it only the cookie
 * that verifies and names a live session (none when none does). The common request, with one
 * session cookie or none, passes untouched and costs nothing.
 */
export function keepLiveSessionCookie(deps: { config: Config; reader: SessionReader; now: () => number }): RequestHandler {
  const { config, reader, now } = deps;
  const { cookieName, idleTimeoutMs } = config.session;
  return (req, _res, next) => {
    const header = req.headers.cookie;
    if (!header?.includes(cookieName)) return next();
    const pairs = cookiePairs(header);
    const named = pairs.filter((pair) => pair.name === cookieName);
    if (named.length < 2) return next();
    liveSessionId(reader, reader.idsFrom(header), now(), idleTimeoutMs).then((live) => {
      const kept = live === null ? undefined : named.find((pair) => reader.idOf(pair.value) === live);
      req.headers.cookie = pairs.filter((pair) => pair.name !== cookieName || pair === kept).map((pair) => pair.pair).join('; ');
      next();
    }, next);
  };
}
