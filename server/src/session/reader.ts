import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { unsign } from 'cookie-signature';
import type { Config } from '../config.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { handOverRead } from './middleware.js';

/** express-session's signed-cookie marker: `s:<id>.<HMAC-SHA256 signature>`. */
const SIGNED_PREFIX = 's:';

/**
 * Reads the session a request's cookie names as express-session does (the same cookie, the
 * same signature check against every secret, the same store key), without the work
 * express-session does on every request to be able to write the session back. It never
 * writes: sign-in, touch, refresh and sign-out stay with express-session.
 */
export interface SessionReader {
  /** The session id of a correctly signed cookie; `null` when it is missing, unsigned or forged. */
  idFrom(cookieHeader: string | undefined): string | null;
  /** The stored session, as the store holds it (JSON), or `null` when it has none under that id. */
  read(id: string): Promise<string | null>;
  /**
   * Gives express-session, when it runs for `req`, this read of session `id` instead of reading
   * the store again: a request reads its session once, whichever path answers it. A read that
   * failed is handed over as it is, and answered as the store's failure.
   */
  handOver(req: IncomingMessage, id: string, read: Promise<string | null>): void;
}

export function createSessionReader(config: Config, kv: Kv, keys: Keys): SessionReader {
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
    read(id: string) {
      return kv.get(keys.session(id));
    },
    handOver(req: IncomingMessage, id: string, read: Promise<string | null>) {
      handOverRead(req, keys.session(id), read);
    },
  });
}
