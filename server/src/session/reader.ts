import type { IncomingMessage } from 'node:http';
import { unsign } from 'cookie-signature';
import type { Config } from '../config.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { handedOverRead, handOverRead } from './middleware.js';

/** express-session's signed-cookie marker: `s:<id>.<HMAC-SHA256 signature>`. */
const SIGNED_PREFIX = 's:';

/**
 * Reads the session a request's cookie names as express-session does (the same cookie, the
 * same signature check against every secret, the same store key), without the work
 * express-session does on every request to be able to write the session back. It never
 * writes: sign-in, touch, refresh and sign-out stay with express-session.
 */
export interface SessionReader {
  /**
   * The session ids of every correctly signed cookie with the session's name, in the order the
   * header lists them, without repeats; unsigned and forged ones are left out. A browser may hold
   * several (a stale one on a longer path comes first, RFC 6265 §5.4): see `live-cookie.ts`.
   */
  idsFrom(cookieHeader: string | undefined): string[];
  /** The session id of one cookie value (as decoded from the header); `null` when unsigned or forged. */
  idOf(value: string): string | null;
  /** The stored session, as the store holds it (JSON), or `null` when it has none under that id. */
  read(id: string): Promise<string | null>;
  /**
   * Gives express-session, when it runs for `req`, this read of session `id` instead of reading
   * the store again: a request reads its session once, whichever path answers it. A read that
   * failed is handed over as it is, and answered as the store's failure.
   */
  handOver(req: IncomingMessage, id: string, read: Promise<string | null>): void;
  /** The stored session `id` as {@link read} answers it, or as read before and handed over for `req` ({@link handOver}). */
  readFor(req: IncomingMessage, id: string): Promise<string | null>;
}

/** One `name=value` of a `Cookie` header, as written (`pair`) and with its value percent-decoded as the `cookie` package does. */
export interface CookiePair {
  pair: string;
  name: string;
  value: string;
}

/** Every pair of a `Cookie` header in order, duplicates included (the `cookie` package keeps only the first of a name). */
export function cookiePairs(cookieHeader: string): CookiePair[] {
  const pairs: CookiePair[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    pairs.push({ pair: part.trim(), name: part.slice(0, eq).trim(), value: decodeCookieValue(value) });
  }
  return pairs;
}

function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Cookie values whose signature checked out, with their session id: the most recently checked
 * ones. Every request of a signed-in browser carries the same value, and checking it (an HMAC,
 * two buffers and a constant-time compare) was a measurable share of an /auth/me answer and of
 * an API call. Only values that verified are kept, so a forged value is checked every time and
 * cannot fill the map; the secrets never change while the process runs.
 */
const VERIFIED_ENTRIES = 10_000;

export function createSessionReader(config: Config, kv: Kv, keys: Keys): SessionReader {
  const { cookieName, secrets } = config.session;
  const verified = new Map<string, string>();
  const idOf = (value: string): string | null => {
    const known = verified.get(value);
    if (known !== undefined) return known;
    if (!value.startsWith(SIGNED_PREFIX)) return null;
    const signed = value.slice(SIGNED_PREFIX.length);
    for (const secret of secrets) {
      const id = unsign(signed, secret);
      if (id === false) continue;
      if (verified.size >= VERIFIED_ENTRIES) verified.delete(verified.keys().next().value ?? '');
      verified.set(value, id);
      return id;
    }
    return null;
  };
  return Object.freeze({
    idsFrom(cookieHeader: string | undefined) {
      // Most anonymous requests carry no session cookie at all: skip parsing the header then.
      if (!cookieHeader?.includes(cookieName)) return [];
      const ids = new Set<string>();
      for (const { name, value } of cookiePairs(cookieHeader)) {
        const id = name === cookieName ? idOf(value) : null;
        if (id !== null) ids.add(id);
      }
      return [...ids];
    },
    idOf,
    read(id: string) {
      return kv.get(keys.session(id));
    },
    handOver(req: IncomingMessage, id: string, read: Promise<string | null>) {
      handOverRead(req, keys.session(id), read);
    },
    readFor(req: IncomingMessage, id: string) {
      const key = keys.session(id);
      return handedOverRead(req, key) ?? kv.get(key);
    },
  });
}
