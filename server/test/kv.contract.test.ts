import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../src/store/errors.js';
import type { Kv } from '../src/store/kv.js';
import { MemoryKv } from '../src/store/memory-kv.js';
import { RedisKv } from '../src/store/redis-kv.js';
import type { Redis } from 'ioredis';
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

  it('swaps a value for the one it held, and starts its time to live again', async () => {
    const k = key('swap');
    expect(await kv.swap(k, 'first', 30)).toBeNull();
    expect(await kv.swap(k, 'second', 10_000)).toBe('first');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await kv.get(k)).toBe('second');
  });

  it('sets only when absent', async () => {
    const k = key('nx');
    expect(await kv.setIfAbsent(k, 'first', 10_000)).toBe(true);
    expect(await kv.setIfAbsent(k, 'second', 10_000)).toBe(false);
    expect(await kv.get(k)).toBe('first');
  });

  it('deletes a key only while it holds the given value', async () => {
    const k = key('del-if');
    await kv.set(k, 'mine', 10_000);
    await kv.delIfEquals(k, 'theirs');
    expect(await kv.get(k)).toBe('mine');
    await kv.delIfEquals(k, 'mine');
    expect(await kv.get(k)).toBeNull();
    await kv.delIfEquals(k, 'mine');
    expect(await kv.get(k)).toBeNull();
  });

  it('finds members of a one-score sorted set by prefix and after a member, in byte order', async () => {
    const k = key('lex');
    for (const member of ['ada\u0000s1', 'adaeze\u0000s2', 'bola\u0000s3', 'ad\u0000s4', 'émile\u0000s5']) await kv.zAdd(k, 0, member, 10_000);
    expect(await kv.zRangeByLex(k, { prefix: 'ada' }, 10)).toEqual(['ada\u0000s1', 'adaeze\u0000s2']);
    expect(await kv.zRangeByLex(k, { prefix: 'ad' }, 2)).toEqual(['ad\u0000s4', 'ada\u0000s1']);
    expect(await kv.zRangeByLex(k, { prefix: 'é' }, 10)).toEqual(['émile\u0000s5']);
    expect(await kv.zRangeByLex(k, { prefix: 'z' }, 10)).toEqual([]);
    expect(await kv.zRangeByLex(k, { after: '' }, 2)).toEqual(['ad\u0000s4', 'ada\u0000s1']);
    expect(await kv.zRangeByLex(k, { after: 'adaeze\u0000s2' }, 10)).toEqual(['bola\u0000s3', 'émile\u0000s5']);
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

  it('counts members from a score, raises only existing members, and prunes a bounded number lowest first', async () => {
    const k = key('zcount');
    for (const [score, member] of [[10, 'a'], [20, 'b'], [30, 'c'], [40, 'd']] as const) await kv.zAdd(k, score, member, 10_000);
    expect(await kv.zCount(k, 20)).toBe(3);
    expect(await kv.zCount(key('absent'), 0)).toBe(0);
    await kv.zRaise(k, 50, 'a');
    await kv.zRaise(k, 5, 'b');
    await kv.zRaise(k, 60, 'absent');
    expect(await kv.zRangeFrom(k, 0)).toEqual(['b', 'c', 'd', 'a']);
    await kv.zRemBelow(k, 45, 2);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['d', 'a']);
    await kv.zRemBelow(k, 45, 2);
    expect(await kv.zRangeFrom(k, 0)).toEqual(['a']);
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

  it('tells whether a key exists, whatever it holds', async () => {
    const [s, z] = [key('exists-s'), key('exists-z')];
    expect(await kv.exists(s)).toBe(false);
    await kv.set(s, 'v', 10_000);
    await kv.zAdd(z, 1, 'm', 10_000);
    expect(await kv.exists(s)).toBe(true);
    expect(await kv.exists(z)).toBe(true);
    await kv.del(s);
    expect(await kv.exists(s)).toBe(false);
  });

  it('updates a value from what it holds, keeping its time to live with keep', async () => {
    const k = key('update');
    expect(await kv.update(k, () => 'never', 'keep')).toBe(false);
    expect(await kv.exists(k)).toBe(false);
    expect(await kv.update(k, (current) => `${current}+1`, 60_000)).toBe(true);
    expect(await kv.get(k)).toBe('null+1');
    expect(await kv.update(k, (current) => `${current}+2`, 'keep')).toBe(true);
    expect(await kv.get(k)).toBe('null+1+2');
    expect(await kv.update(k, () => null, 'keep')).toBe(false);
    expect(await kv.get(k)).toBe('null+1+2');

    const short = key('update-ttl');
    await kv.set(short, 'v', 30);
    expect(await kv.update(short, (current) => `${current}!`, 'keep')).toBe(true);
    await waitUntil(async () => (await kv.get(short)) === null);
  });

  it('runs an update again on the newer value when a write lands between its read and its write', async () => {
    const k = key('race');
    await kv.set(k, 'a', 10_000);
    const seen: Array<string | null> = [];
    const wrote = await kv.update(
      k,
      (current) => {
        // The first run lets another writer in before its own write reaches the store.
        if (seen.push(current) === 1) void kv.set(k, 'b', 10_000);
        return `${current}+role`;
      },
      'keep',
    );
    expect(wrote).toBe(true);
    expect(seen).toEqual(['a', 'b']);
    expect(await kv.get(k)).toBe('b+role');
  });

  it('adds to hash fields and reads them back as strings', async () => {
    const k = key('h');
    expect(await kv.hGetAll(k)).toEqual({});
    await kv.hIncrBy(k, { 'sign_in:silent': 1, 'role:staff': 2 }, 10_000);
    await kv.hIncrBy(k, { 'sign_in:silent': 3 }, 10_000);
    expect(await kv.hGetAll(k)).toEqual({ 'sign_in:silent': '4', 'role:staff': '2' });
  });

  it('forgets a hash when its time to live runs out', async () => {
    const k = key('h-ttl');
    await kv.hIncrBy(k, { n: 1 }, 30);
    await waitUntil(async () => Object.keys(await kv.hGetAll(k)).length === 0);
  });

  it('keeps only the newest entries of a capped stream, and lists them newest first', async () => {
    const k = key('x');
    expect(await kv.streamLatest(k, 10)).toEqual([]);
    for (const value of ['1', '2', '3', '4']) await kv.streamAdd(k, value, 3, 10_000);
    expect(await kv.streamLatest(k, 10)).toEqual(['4', '3', '2']);
    expect(await kv.streamLatest(k, 2)).toEqual(['4', '3']);
  });

  it('forgets a stream when its time to live runs out', async () => {
    const k = key('x-ttl');
    await kv.streamAdd(k, 'v', 10, 30);
    await waitUntil(async () => (await kv.streamLatest(k, 1)).length === 0);
  });

  it('applies the writes of inOrder’s first step before its second step, which sees them', async () => {
    const k = key('in-order');
    await expect(kv.inOrder(() => kv.set(k, 'saved', 10_000), () => kv.get(k))).resolves.toBe('saved');
    await expect(kv.inOrder(() => kv.update(k, () => null, 'keep').then(() => Promise.reject(new Error('first failed'))), () => kv.get(k))).rejects.toThrow('first failed');
  });

  it('applies inOrder’s first step before its second whatever the first writes with: SET NX (a new session’s save) and a swap', async () => {
    const k = key('in-order-nx');
    await expect(kv.inOrder(() => kv.setIfAbsent(k, 'saved', 10_000), () => kv.get(k))).resolves.toBe('saved');
    await expect(kv.inOrder(() => kv.swap(k, 'swapped', 10_000), () => kv.get(k))).resolves.toBe('swapped');
  });

  it('passes its own write, read and delete check', async () => {
    await expect(kv.check(key('check'))).resolves.toBeUndefined();
  });
});

describe('the Redis store’s writes that keep a key alive', () => {
  it('fail when a command inside them fails, instead of reporting success', async () => {
    const kv = await RedisKv.connect(redisUrl());
    try {
      const key = `test:${randomUUID()}:wrongtype`;
      await kv.set(key, 'a string, not a sorted set', 10_000);
      await expect(kv.zAdd(key, 1, 'member', 10_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await kv.close();
    }
  });
});

describe('the Redis store’s commands issued at once', () => {
  it('go out in one socket write when the tick ends, each with its own answer', async () => {
    const kv = await RedisKv.connect(redisUrl());
    try {
      const key = (name: string) => `test:${randomUUID()}:${name}`;
      const [a, b, c] = [key('a'), key('b'), key('c')];
      await kv.set(c, 'before', 10_000);
      const stream = (kv.client as Redis).stream;
      const answers = Promise.all([
        kv.zAdd(a, 1, 'member', 10_000),
        kv.set(b, 'value', 10_000),
        kv.swap(c, 'after', 10_000),
        kv.get(b),
      ]);
      // Nothing has left yet: the four commands wait in the socket for one write.
      expect(stream.writableCorked).toBe(1);
      expect(stream.writableLength).toBeGreaterThan(0);
      expect(await answers).toEqual([undefined, undefined, 'before', 'value']);
      expect(stream.writableCorked).toBe(0);
      expect(await kv.zRangeFrom(a, 0)).toEqual(['member']);
    } finally {
      await kv.close();
    }
  });

  it('include both steps of inOrder on one connection: the second is sent before the first is answered', async () => {
    const kv = await RedisKv.connect(redisUrl());
    try {
      const key = `test:${randomUUID()}:in-order`;
      const client = kv.client as Redis & { commandQueue: { length: number } };
      const read = kv.inOrder(() => kv.set(key, 'saved', 10_000), () => kv.get(key));
      expect(client.stream.writableCorked).toBe(1);
      expect(client.commandQueue.length).toBe(2);
      await expect(read).resolves.toBe('saved');
    } finally {
      await kv.close();
    }
  });
});

