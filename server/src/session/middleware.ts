import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RedisStore } from 'connect-redis';
import { sign } from 'cookie-signature';
import session, { type SessionData } from 'express-session';
import type { CookieOptions, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { cookieOptions } from './cookies.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { mergeSessionWrite } from './concurrent-writes.js';
import { sessionTimes } from './data.js';

/** A read of a session's key that a request made before express-session ran for it. */
interface EarlierRead {
  key: string;
  read: Promise<string | null>;
}

const earlierReads = new WeakMap<IncomingMessage, EarlierRead>();
/** Set only while express-session's middleware runs synchronously for the request that made it. */
let readAtHand: EarlierRead | undefined;

/**
 * Lets express-session use `read`, of `key`, when it next runs for `req`, instead of reading
 * the store again (see `SessionReader.handOver`).
 */
export function handOverRead(req: IncomingMessage, key: string, read: Promise<string | null>): void {
  earlierReads.set(req, { key, read });
}

/** The read of `key` handed over for `req` ({@link handOverRead}), if there is one. */
export function handedOverRead(req: IncomingMessage, key: string): Promise<string | null> | undefined {
  const earlier = earlierReads.get(req);
  return earlier?.key === key ? earlier.read : undefined;
}

/**
 * connect-redis speaks to ioredis-shaped clients. Porter hands it this view of its own store
 * instead, so the same sessions live in Redis or, in development, in memory. connect-redis 8
 * is the last major that accepts an ioredis-shaped client (9 and later require node-redis).
 */
function connectRedisClient(kv: Kv) {
  return {
    get: (key: string) => {
      if (readAtHand?.key !== key) return kv.get(key);
      const { read } = readAtHand;
      readAtHand = undefined;
      return read;
    },
    // A write from a request that started earlier must not undo a role change or a revocation.
    set: async (key: string, value: string, _ex: 'EX', ttlSeconds: number) => {
      const ttlMs = ttlSeconds * 1000;
      // A session's first write (a sign-in's): nothing can be stored under its fresh id, so one
      // SET NX instead of a read and a compare-and-set. Should something be there, it is merged.
      const first = mergeSessionWrite(null, value);
      if (first !== null && (await kv.setIfAbsent(key, first, ttlMs))) return;
      await kv.update(key, (stored) => mergeSessionWrite(stored, value), ttlMs);
    },
    del: async (keys: string[]) => {
      for (const key of keys) await kv.del(key);
    },
  };
}

/**
 * express-session on Porter's store. Anonymous visitors get no session and no write
 * (`saveUninitialized: false`); a signed-in read writes nothing unless the session changed
 * (`resave: false`, no touch: Porter moves the idle expiry itself, at most once per interval).
 */
export function createSessionStore(config: Config, kv: Kv, keys: Keys, now: () => number): RedisStore {
  return new RedisStore({
    client: connectRedisClient(kv),
    prefix: keys.sessionPrefix,
    disableTouch: true,
    ttl: (data: { lastTouchedAt?: number; absoluteExpiresAt?: number }) => {
      if (data.lastTouchedAt === undefined || data.absoluteExpiresAt === undefined) return 0;
      const { expiresAt } = sessionTimes(
        { lastTouchedAt: data.lastTouchedAt, absoluteExpiresAt: data.absoluteExpiresAt },
        config.session.idleTimeoutMs,
      );
      return Math.ceil((expiresAt - now()) / 1000);
    },
  });
}

/**
 * express-session, which uses a read handed over by {@link handOverRead}. express-session asks
 * its store for the session synchronously within its middleware call, and connect-redis asks
 * the client synchronously within that: so the read is offered exactly for that call and
 * withdrawn when it returns. Should either ever ask later, the store is simply read again.
 *
 * A session the store could not read is not "no session": express-session, with
 * `unset: 'destroy'`, would destroy on the way out a session it never loaded (it sees no
 * `req.session`). So a load error takes the session id off the request before the error handler
 * answers 503: express-session then writes, deletes and sets nothing for it.
 */
export function sessionMiddleware(config: Config, store: RedisStore): RequestHandler {
  const middleware = expressSession(config, store);
  const { secureCookies } = config.session;
  return (req, res, next) => {
    // express-session sends a Secure cookie only on a request it believes secure (`req.secure`,
    // from X-Forwarded-Proto and trust proxy), and otherwise saves the session but silently sends
    // no cookie. Whether the browser speaks https is APP_URL's to say, not the last hop's: a TLS
    // proxy that sends no X-Forwarded-Proto must not cost the visitor their sign-in.
    if (secureCookies) Object.defineProperty(req, 'secure', { value: true });
    readAtHand = earlierReads.get(req);
    try {
      middleware(req, res, (err?: unknown) => {
        if (err && !req.session) delete (req as { sessionID?: string }).sessionID;
        next(err);
      });
    } finally {
      readAtHand = undefined;
    }
  };
}

function expressSession(config: Config, store: RedisStore): RequestHandler {
  return session({
    name: config.session.cookieName,
    secret: [...config.session.secrets],
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    cookie: { ...cookieOptions(config), maxAge: config.session.absoluteTimeoutMs },
  });
}

/**
 * A session begun where express-session did not run: a sign-in's return to a browser that
 * brought no session cookie (app.ts). It is stored through the same store and in the same shape
 * (a `cookie` field as express-session's `Cookie` writes it), and named by the same cookie, its
 * id signed with the first secret (`s:<id>.<HMAC-SHA256>`), so every later request reads it
 * through express-session as one express-session made. express-session's work per request (a
 * session object, four hashes of its JSON, wrapping the response) was about a tenth of a
 * sign-in's CPU.
 */
export interface NewSessions {
  /** A fresh session id as express-session makes one: 24 random bytes, base64url. */
  newId(): string;
  /** Stores `data` as session `id` (the store's first write of a session: SET NX). Throws the store's error. */
  save(id: string, data: Omit<SessionData, 'cookie'>): Promise<void>;
  /** Deletes session `id`. Throws the store's error. */
  destroy(id: string): Promise<void>;
  /** Adds the cookie naming session `id` to the response, with the attributes express-session would send. */
  sendCookie(res: ServerResponse, id: string): void;
}

/** express-session's `Cookie` as its JavaScript has it: its types declare neither the constructor's options nor `serialize`. */
const SessionCookie = session.Cookie as unknown as new (options: CookieOptions) => session.Cookie & { serialize(name: string, value: string): string };

export function createNewSessions(config: Config, store: RedisStore): NewSessions {
  const { cookieName, secrets, absoluteTimeoutMs } = config.session;
  const [secret] = secrets;
  if (!secret) throw new TypeError('"config.session.secrets" must hold at least one secret');
  const cookie = () => new SessionCookie({ ...cookieOptions(config), maxAge: absoluteTimeoutMs });
  const done = (resolve: () => void, reject: (err: unknown) => void) => (err?: unknown) => (err ? reject(err) : resolve());
  return {
    newId: () => randomBytes(24).toString('base64url'),
    save: (id, data) =>
      new Promise((resolve, reject) => store.set(id, { ...data, cookie: cookie() } as SessionData, done(resolve, reject))),
    destroy: (id) => new Promise((resolve, reject) => store.destroy(id, done(resolve, reject))),
    sendCookie: (res, id) => {
      const previous = res.getHeader('Set-Cookie') ?? [];
      const line = cookie().serialize(cookieName, `s:${sign(id, secret)}`);
      res.setHeader('Set-Cookie', Array.isArray(previous) ? [...previous, line] : [String(previous), line]);
    },
  };
}
