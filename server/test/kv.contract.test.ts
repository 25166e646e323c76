import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kv } from '../src/store/kv.js';
import { MemoryKv } from '../src/store/memory-kv.js';
import { RedisKv } from '../src/store/redis-kv.js';
import { redisUrl, waitUntil } from './support/env.js';

/** One contract, two stores: what runs in development must behave as Redis does in production. */
const stores: Array<[string, () => Promise<Kv>]> = [
  ['Redis', () => RedisKv.connect(redisUrl())],
  ['memory', async () => new MemoryKv()],
];

describe.each(stores)('the %s store', (_name, open) => {
  let kv: Kv;
  const key = (name: string) => `test:${randomUUID()}:${name}`;
  beforeAll(async () => {
    kv = await open();
  });
  afterAll(() => kv.close());

  it('reads back what it wrote, and nothing after a delete', async () => {
    const k = key('s');
    expect(await kv.get(k)).toBeNull();
    await kv.set(k, 'v1', 10_000);
    expect(await kv.get(k)).toBe('v1');
    await kv.del(k);
    expect(await kv.get(k)).toBeNull();
  });

  it('forgets a value when its time to live runs out', async () => {
    const k = key('ttl');
    await kv.set(k, 'v', 30);
    await waitUntil(async () => (await kv.get(k)) === null);
    expect(await kv.get(k)).toBeNull();
  });

  it('sets only when absent', async () => {
    const k = key('nx');
    expect(await kv.setIfAbsent(k, 'first', 10_000)).toBe(true);
    expect(await kv.setIfAbsent(k, 'second', 10_000)).toBe(false);
    expect(await kv.get(k)).toBe('first');
  });

  it('keeps sorted set members in score order and removes them by member and by score', async () => {
    const k = key('z');
    await kv.zAdd(k, 30, 'c', 10_000);
    await kv.zAdd(k, 10, 'a', 10_000);
    await kv.zAdd(k, 20, 'b', 10_000);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['a', 'b', 'c']);
    expect(await kv.zRangeFrom(k, 20)).toEqual(['b', 'c']);
    await kv.zRem(k, 'b');
    await kv.zRemBelow(k, 30);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['c']);
    await kv.zAdd(k, 5, 'c', 10_000);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['c']);
  });

  it('extends a sorted set’s life with a longer member, never shortens it', async () => {
    const k = key('zttl');
    await kv.zAdd(k, 1, 'long', 60_000);
    await kv.zAdd(k, 2, 'short', 30);
    const gone = key('zgone');
    await kv.zAdd(gone, 1, 'short', 30);
    await waitUntil(async () => (await kv.zRangeFrom(gone, 0)).length === 0);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['long', 'short']);
  });

  it('passes its own write, read and delete check', async () => {
    await expect(kv.check(key('check'))).resolves.toBeUndefined();
  });
});
