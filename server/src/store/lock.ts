import { randomUUID } from 'node:crypto';
import type { Kv } from './kv.js';

/** A lock this caller holds until it releases it or its time to live runs out. */
export interface HeldLock {
  /** Frees the lock if this holder still has it; a lock that expired and was taken by another stays theirs. */
  release(): Promise<void>;
}

/**
 * Locks shared by every instance on one store, as oauth2-proxy keeps its `Lock` beside its
 * session store. A lock is a key holding its holder's own random token, set only when absent
 * and with a time to live, so a holder that dies frees it by expiry. Store failures are thrown
 * (`StoreUnavailableError`): an unavailable store never reads as "free" or "taken".
 */
export interface Locks {
  /** Takes the lock `key` for at most `ttlMs` (ms), or `null` when another holder has it now. */
  acquire(key: string, ttlMs: number): Promise<HeldLock | null>;
}

/** What {@link singleFlight} did: ran `work` under the lock, or found the lock held by another. */
export type SingleFlight<T> = { ran: true; value: T } | { ran: false };

export function createLocks(kv: Pick<Kv, 'setIfAbsent' | 'delIfEquals'>): Locks {
  return Object.freeze({
    async acquire(key: string, ttlMs: number): Promise<HeldLock | null> {
      // Its own token, so a holder that outlived the time to live frees only its own lock.
      const token = randomUUID();
      if (!(await kv.setIfAbsent(key, token, ttlMs))) return null;
      return { release: () => kv.delIfEquals(key, token) };
    },
  });
}

/**
 * Runs `work` while holding the lock `key`, so that across every instance one caller does it at
 * a time; the others get `{ ran: false }` at once, without waiting. The lock is released when
 * `work` settles, whether it resolved or threw (its error is thrown on). `ttlMs` bounds how long
 * a holder that dies keeps others out: choose it above the longest `work`.
 */
export async function singleFlight<T>(locks: Locks, key: string, ttlMs: number, work: () => Promise<T>): Promise<SingleFlight<T>> {
  const lock = await locks.acquire(key, ttlMs);
  if (!lock) return { ran: false };
  try {
    return { ran: true, value: await work() };
  } finally {
    await lock.release();
  }
}
