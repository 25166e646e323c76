import type { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { parse as parseCookies } from 'cookie';
import { unsign } from 'cookie-signature';
import type { Config } from '../config.js';

/** express-session's signed-cookie marker: `s:<id>.<HMAC-SHA256 signature>`. */
const SIGNED_PREFIX = 's:';

/**
 * Reads the session a request's cookie names as express-session does (the same cookie, the
 * same signature check against every secret, the same store and serializer), without the
 * work express-session does on every request to be able to write the session back. It never
 * writes: sign-in, touch, refresh and sign-out stay with express-session.
 */
export interface SessionReader {
  /** The session id of a correctly signed cookie; `null` when it is missing, unsigned or forged. */
  idFrom(cookieHeader: string | undefined): string | null;
  /** The stored session, or `null` when the store has none under that id. */
  load(id: string): Promise<Partial<SessionData> | null>;
}

export function createSessionReader(config: Config, store: RedisStore): SessionReader {
  const { cookieName, secrets } = config.session;
  return Object.freeze({
    idFrom(cookieHeader: string | undefined) {
      // Most anonymous requests carry no session cookie at all: skip parsing the header then.
      if (!cookieHeader?.includes(cookieName)) return null;
      const raw = parseCookies(cookieHeader)[cookieName];
      if (!raw?.startsWith(SIGNED_PREFIX)) return null;
      const signed = raw.slice(SIGNED_PREFIX.length);
      for (const secret of secrets) {
        const id = unsign(signed, secret);
        if (id !== false) return id;
      }
      return null;
    },
    async load(id: string) {
      return ((await store.get(id)) as Partial<SessionData> | null) ?? null;
    },
  });
}
