import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisClient, redactUrl } from '../src/store/redis-kv.js';

/** Builds the client an operator's REDIS_URL asks for, without waiting on a connection. */
function clientFor(url: string) {
  const client = createRedisClient(url);
  client.on('error', () => {});
  client.disconnect();
  return client;
}

describe('REDIS_URL forms', () => {
  it('connects to a standalone Redis with rediss:// and a password', () => {
    const client = clientFor('rediss://:s3cret@cache.internal:6380/2');
    expect(client).toBeInstanceOf(Redis);
    expect((client as Redis).options).toMatchObject({ host: 'cache.internal', port: 6380, password: 's3cret', db: 2 });
    expect((client as Redis).options.tls).toBeDefined();
  });

  it('asks the Sentinels for the named master', () => {
    const client = clientFor('redis-sentinel://:p%40ss@s1:26379,s2:26380/porter-master') as Redis;
    expect(client.options.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ]);
    expect(client.options.name).toBe('porter-master');
    expect(client.options.password).toBe('p@ss');
  });

  it('starts a Cluster client from the listed nodes', () => {
    const client = clientFor('redis-cluster://:pw@n1:7000,n2:7001') as Cluster;
    expect(client).toBeInstanceOf(Cluster);
    // ioredis keeps the startup nodes private; they are what the URL must produce.
    expect(Reflect.get(client, 'startupNodes')).toEqual([
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ]);
    expect(client.options.redisOptions?.password).toBe('pw');
  });

  it('never prints a password', () => {
    expect(redactUrl('redis://user:s3cret@cache:6379')).toBe('redis://***@cache:6379');
  });
});
