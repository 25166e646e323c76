import type { Redis } from 'ioredis';
import { createKeys } from '../../src/store/keys.js';
import { memoryUsage } from './redis-stats.js';

export interface SessionBytes {
  session: number;
  userIndex: number;
  sidIndex: number;
  storedChars: number;
  sealedTokenChars: number;
}

/**
 * Bytes one signed-in session takes in Redis, measured right after the first sign-in: its key,
 * and the index keys of a user and of a Campus One session that hold only this one.
 */
export async function sessionBytes(redis: Redis, prefix: string, sessionId: string, sub: string): Promise<SessionBytes> {
  const keys = createKeys(prefix);
  const stored = (await redis.get(keys.session(sessionId))) ?? '{}';
  const data = JSON.parse(stored) as { tokens?: string; providerSid?: string | null };
  return {
    session: await memoryUsage(redis, keys.session(sessionId)),
    userIndex: await memoryUsage(redis, keys.userSessions(sub)),
    sidIndex: data.providerSid ? await memoryUsage(redis, keys.providerSessions(data.providerSid)) : 0,
    storedChars: stored.length,
    sealedTokenChars: data.tokens?.length ?? 0,
  };
}

/** One session's share of the role-count sets and their list of roles, once they hold many (as in production). */
export async function liveIndexShare(redis: Redis, prefix: string): Promise<{ bytes: number; sessions: number }> {
  const keys = createKeys(prefix);
  const roles = await redis.hkeys(keys.liveRoles());
  let sessions = 0;
  let bytes = await memoryUsage(redis, keys.liveRoles());
  for (const role of roles) {
    sessions += await redis.zcard(keys.liveSessionsOfRole(role));
    bytes += await memoryUsage(redis, keys.liveSessionsOfRole(role));
  }
  return { bytes: sessions > 0 ? Math.round(bytes / sessions) : 0, sessions };
}
