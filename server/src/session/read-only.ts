import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import type { Config } from '../config.js';
import { signedIn } from './data.js';
import { hasExpired, refreshDue } from './lifetime.js';
import type { SessionReader } from './reader.js';

/** A signed-in session as the store holds it, read for a request that only reads it. */
export interface ReadOnlySession {
  id: string;
  data: SessionData;
}

const readOnlySessions = new WeakMap<IncomingMessage, ReadOnlySession>();

/** The session {@link readOnlySession} read for `req`, if it kept one; such a request has no `req.session`. */
export function readOnlySessionOf(req: IncomingMessage): ReadOnlySession | undefined {
  return readOnlySessions.get(req);
}

/** The request's signed-in session, read-only or express-session's, with its id; `null` when not signed in. */
export function signedInSessionOf(req: Request): ReadOnlySession | null {
  const readOnly = readOnlySessions.get(req);
  if (readOnly) return readOnly;
  const data = req.session ? signedIn(req.session) : null;
  return data ? { id: req.sessionID, data } : null;
}

/**
 * Session middleware for routes that only read the session (the API proxy): in the steady state
 * (one signed cookie naming a signed-in session that has not expired and whose access token is
 * not due for a refresh) it reads the store once through `reader`, as the /auth/me shortcut
 * does, and keeps the result for {@link signedInSessionOf} and {@link readOnlySessionOf};
 * express-session's per-request work (hashing the session twice to see whether it changed,
 * wrapping the response) is skipped, and so is any write, which express-session would not make
 * for an unchanged session either. Anything else (no cookie or several, not signed in, expired,
 * a refresh due, a failed read) goes to `expressSession` with the read handed over, so the
 * store is read once whichever path runs and a store failure is answered as usual (503).
 */
export function readOnlySession(deps: {
  config: Config;
  reader: SessionReader;
  now: () => number;
  /** express-session, as the rest of the app runs it (`session/middleware.ts`). */
  expressSession: RequestHandler;
}): RequestHandler {
  const { reader, now, expressSession } = deps;
  const { idleTimeoutMs } = deps.config.session;
  return (req, res, next) => {
    const ids = reader.idsFrom(req.headers.cookie);
    const id = ids[0];
    if (id === undefined || ids.length > 1) return expressSession(req, res, next);
    const read = reader.readFor(req, id);
    const toExpressSession = () => {
      reader.handOver(req, id, read);
      expressSession(req, res, next);
    };
    read.then((stored) => {
      const data = steadySession(stored, now(), idleTimeoutMs);
      if (!data) return toExpressSession();
      readOnlySessions.set(req, { id, data });
      next();
    }, toExpressSession);
  };
}

/**
 * The stored session (JSON, or `null` when absent) when it is signed in, has not expired, and
 * its access token needs nothing before use (the steady state the API proxy serves read-only,
 * here and in `http/api-shortcut.ts`): not due for a refresh and no failed refresh
 * waiting to be retried. Otherwise `null`, also for a value that does not parse (express-session
 * then meets it as it would anyway).
 */
export function steadySession(stored: string | null, now: number, idleTimeoutMs: number): SessionData | null {
  if (stored === null) return null;
  let data: SessionData | null;
  try {
    // Parsed as express-session's store (connect-redis) parses it.
    data = signedIn(JSON.parse(stored) as Partial<SessionData>);
  } catch {
    return null;
  }
  if (!data || hasExpired(data, now, idleTimeoutMs) || refreshDue(data, now) || data.refreshRetryAt !== undefined) return null;
  return data;
}
