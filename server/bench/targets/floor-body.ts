import type { MeResponse } from '@porter/shared';
import { sessionTimes } from '../../src/session/data.js';

/**
 * The floors answer what Porter's /auth/me answers, from the same stored session, so the rows
 * compare the cost of the machinery around the work and not different work.
 */
export function meBody(stored: string, idleTimeoutMs: number): MeResponse | null {
  const data = JSON.parse(stored) as { user?: MeResponse['user']; lastTouchedAt?: number; absoluteExpiresAt?: number };
  if (!data.user || data.lastTouchedAt === undefined || data.absoluteExpiresAt === undefined) return null;
  const times = sessionTimes({ lastTouchedAt: data.lastTouchedAt, absoluteExpiresAt: data.absoluteExpiresAt }, idleTimeoutMs);
  return {
    user: data.user,
    session: { expiresAt: new Date(times.expiresAt).toISOString(), absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString() },
  };
}

/** What every bench target reads from its environment, set by bench/run.ts. */
export function targetEnv() {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} must be set (bench/run.ts starts this target)`);
    return value;
  };
  return {
    port: Number(need('PORT')),
    redisUrl: need('REDIS_URL'),
    sessionSecret: need('SESSION_SECRET'),
    sessionKeyPrefix: process.env.SESSION_KEY_PREFIX ?? '',
    cookieName: process.env.SESSION_COOKIE ?? '',
    idleTimeoutMs: Number(process.env.SESSION_IDLE_TIMEOUT_MS ?? 24 * 60 * 60 * 1000),
    origin: `http://127.0.0.1:${need('PORT')}`,
    discoveryUrl: process.env.CAMPUS_ONE_DISCOVERY_URL ?? '',
    clientId: process.env.CAMPUS_ONE_CLIENT_ID ?? '',
    clientSecret: process.env.CAMPUS_ONE_CLIENT_SECRET ?? '',
    scopes: process.env.CAMPUS_ONE_SCOPES ?? '',
  };
}

/** A profile (`--cpu-prof`) is written on a normal exit, so SIGTERM must end the process cleanly. */
export function exitOnSigterm(close: () => Promise<unknown>): void {
  process.once('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
}
