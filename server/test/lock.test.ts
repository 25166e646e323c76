import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kv } from '../src/store/kv.js';
import { createLocks, singleFlight, type Locks } from '../src/store/lock.js';
import { MemoryKv } from '../src/store/memory-kv.js';
import { RedisKv } from '../src/store/redis-kv.js';
import { redisUrl, waitUntil } from './support/env.js';

const stores: Array<[string, () => Promise<Kv>]> = [
  ['Redis', () => RedisKv.connect(redisUrl())],
  ['the in-memory store', async () => new MemoryKv()],
];

describe.each(stores)('locks on %s', (_name, connect) => {
  let kv: Kv;
  let locks: Locks;
  beforeAll(async () => {
    kv = await connect();
    locks = createLocks(kv);
  });
  afterAll(() => kv.close());
  const key = () => `test:${randomUUID()}:lock`;

  it('lets one holder at a time take a lock, and the next once it is released', async () => {
    const k = key();
    const first = await locks.acquire(k, 10_000);
    expect(first).not.toBeNull();
    expect(await locks.acquire(k, 10_000)).toBeNull();
    await first?.release();
    expect(await locks.acquire(k, 10_000)).not.toBeNull();
  });

  it('frees a lock whose holder never released it once its time to live runs out', async () => {
    const k = key();
    expect(await locks.acquire(k, 50)).not.toBeNull();
    await waitUntil(async () => (await locks.acquire(k, 10_000)) !== null);
  });

  it('never lets a holder whose lock expired release the lock another holder took since', async () => {
    const k = key();
    const late = await locks.acquire(k, 50);
    let next = null;
    await waitUntil(async () => (next = await locks.acquire(k, 10_000)) !== null);
    await late?.release();
    expect(next).not.toBeNull();
    expect(await locks.acquire(k, 10_000)).toBeNull();
  });

  it('runs single-flight work once while it is under way, and releases the lock when the work throws', async () => {
    const k = key();
    let release: (() => void) | null = null;
    const running = singleFlight(locks, k, 10_000, () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await waitUntil(async () => release !== null);
    expect(await singleFlight(locks, k, 10_000, async () => 'again')).toEqual({ ran: false });
    release!();
    expect(await running).toEqual({ ran: true, value: 'done' });
    await expect(singleFlight(locks, k, 10_000, async () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(await singleFlight(locks, k, 10_000, async () => 'after')).toEqual({ ran: true, value: 'after' });
  });
});
