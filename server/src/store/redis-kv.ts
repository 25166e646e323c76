import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import { writeReadDelete } from './check.js';
import type { Kv } from './kv.js';

type Client = Redis | Cluster;

const COMMAND_TIMEOUT_MS = 2000;

/**
 * Commands fail at once while Redis is away (no offline queue), so a request answers 503
 * instead of hanging; ioredis keeps reconnecting in the background.
 */
const BASE_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 5000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
};

/**
 * `redis://` and `rediss://` as usual; `redis-sentinel://[:password@]h1:p1,h2:p2/<master name>`;
 * `redis-cluster://[:password@]h1:p1,h2:p2`.
 */
export function createRedisClient(url: string): Client {
  const multi = /^(redis-sentinel|redis-cluster):\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?]+)(?:\/([^?]*))?/.exec(url);
  if (!multi) return new Redis(url, BASE_OPTIONS);
  const [, kind, password, hostList = '', name] = multi;
  const nodes = hostList.split(',').map((hostPort) => {
    const [host = '127.0.0.1', port = kind === 'redis-sentinel' ? '26379' : '6379'] = hostPort.split(':');
    return { host, port: Number(port) };
  });
  const auth = password ? { password: decodeURIComponent(password) } : {};
  if (kind === 'redis-cluster') {
    return new Cluster(nodes, { enableOfflineQueue: false, redisOptions: { ...BASE_OPTIONS, ...auth } });
  }
  return new Redis({ ...BASE_OPTIONS, ...auth, sentinels: nodes, name: name || 'mymaster' });
}

function unavailable(cause: unknown): AppError {
  return new AppError(503, ErrorCode.StoreUnavailable, 'The session store is unavailable. Try again shortly.', { cause });
}

export class RedisKv implements Kv {
  private constructor(readonly client: Client) {}

  /** Resolves once Redis is ready, so the first request does not meet a cold connection. */
  static async connect(url: string, timeoutMs = 10_000): Promise<RedisKv> {
    const client = createRedisClient(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.disconnect();
        reject(new Error(`Redis at ${redactUrl(url)} was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // Errors surface on the commands that meet them; without a listener ioredis would print them.
    client.on('error', () => {});
    return new RedisKv(client);
  }

  private async run<T>(command: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (err) {
      throw unavailable(err);
    }
  }

  get(key: string) {
    return this.run((c) => c.get(key));
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.run((c) => c.set(key, value, 'PX', ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    return (await this.run((c) => c.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async del(key: string) {
    await this.run((c) => c.del(key));
  }

  async zAdd(key: string, score: number, member: string, keyTtlMs: number) {
    await this.run((c) =>
      c
        .multi()
        .zadd(key, score, member)
        // GT: several sessions share the key, so its life only ever extends.
        .pexpire(key, keyTtlMs, 'GT')
        .pexpire(key, keyTtlMs, 'NX')
        .exec(),
    );
  }

  async zRem(key: string, member: string) {
    await this.run((c) => c.zrem(key, member));
  }

  zRangeFrom(key: string, min: number) {
    return this.run((c) => c.zrangebyscore(key, min, '+inf'));
  }

  async zRemBelow(key: string, max: number) {
    await this.run((c) => c.zremrangebyscore(key, '-inf', `(${max}`));
  }

  check(key: string) {
    return writeReadDelete(this, key);
  }

  async close() {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Never log a Redis password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
