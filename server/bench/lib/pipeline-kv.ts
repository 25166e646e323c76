import type { ChainableCommander, Redis } from 'ioredis';
import type { Kv } from '../../src/store/kv.js';
import { REMOVE_BELOW_LIMITED } from '../../src/store/redis-kv.js';

/**
 * A `Kv` that queues writes into one Redis pipeline instead of sending each and waiting, for
 * filling Redis with many new sessions fast. The same commands RedisKv sends, minus its waits
 * and transactions: the keys, values, scores and expiries Porter's code asks for land as they
 * would. Only for new keys: a read answers "absent" without asking Redis.
 */
export class PipelineKv implements Kv {
  private pipeline: ChainableCommander;

  constructor(private readonly redis: Redis) {
    this.pipeline = redis.pipeline();
  }

  /** Sends everything queued; rejects if any command failed. */
  async flush(): Promise<void> {
    const results = await this.pipeline.exec();
    this.pipeline = this.redis.pipeline();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async get() {
    return null;
  }

  async update(key: string, change: (current: string | null) => string | null, ttlMs: number | 'keep') {
    const next = change(null);
    if (next === null || ttlMs === 'keep') return false;
    this.pipeline.set(key, next, 'PX', ttlMs);
    return true;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    this.pipeline.set(key, value, 'PX', ttlMs, 'NX');
    return true;
  }

  async swap(key: string, value: string, ttlMs: number) {
    this.pipeline.set(key, value, 'PX', ttlMs);
    return null;
  }

  async zAdd(key: string, score: number, member: string, keyTtlMs: number) {
    this.pipeline.zadd(key, score, member).pexpire(key, keyTtlMs, 'GT').pexpire(key, keyTtlMs, 'NX');
  }

  async zRemBelow(key: string, max: number, limit?: number) {
    if (limit === undefined) this.pipeline.zremrangebyscore(key, '-inf', `(${max}`);
    else this.pipeline.eval(REMOVE_BELOW_LIMITED, 1, key, String(max), String(limit));
  }

  async hIncrBy(key: string, increments: Readonly<Record<string, number>>, keyTtlMs: number) {
    for (const [field, by] of Object.entries(increments)) this.pipeline.hincrby(key, field, by);
    this.pipeline.pexpire(key, keyTtlMs, 'GT').pexpire(key, keyTtlMs, 'NX');
  }

  set = unsupported;
  del = unsupported;
  delIfEquals = unsupported;
  exists = unsupported;
  zRem = unsupported;
  zRangeFrom = unsupported;
  zRangeByLex = unsupported;
  zCount = unsupported;
  zRaise = unsupported;
  hGetAll = unsupported;
  streamAdd = unsupported;
  streamLatest = unsupported;
  check = unsupported;
  durably = unsupported;
  inOrder = unsupported;
  async close() {}
}

function unsupported(): never {
  throw new Error('PipelineKv only writes new sessions and their indexes');
}
