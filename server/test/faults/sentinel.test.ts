import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, webhookEvent } from '../../dev/webhooks.js';
import { waitUntil } from '../support/env.js';
import { SentinelTopology } from '../support/redis-processes.js';
import { sessionIdOf } from '../support/session.js';
import { Browser, signIn, startStack, subOf, type Stack } from '../support/stack.js';

/**
 * Porter on a real Sentinel topology (a master, a replica, three Sentinels) through
 * `REDIS_URL=redis-sentinel://...`, failed over with `SENTINEL FAILOVER` while people sign in.
 */

const WEBHOOK_SECRET = 'sentinel-webhook-secret';
let topology: SentinelTopology;
let stack: Stack;
beforeAll(async () => {
  topology = await SentinelTopology.start();
  // A second instance, on its own connection, works while the first one's connection waits (WAIT).
  stack = await startStack({ instances: 2, redisUrl: topology.url, env: { CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await topology?.stop();
});

describe('a Sentinel failover under sign-ins', () => {
  it('loses no acknowledged sign-in, and serves from the new master', async () => {
    /** Browsers whose sign-in Porter acknowledged: the callback sent them on with a session. */
    const acknowledged: Browser[] = [];
    let running = true;
    const signInLoop = async () => {
      while (running) {
        const browser = new Browser();
        const page = await signIn(browser, stack, 'student').catch(() => null);
        if (page?.url.pathname === '/dashboard') acknowledged.push(browser);
      }
    };
    const loops = [signInLoop(), signInLoop()];
    await waitUntil(async () => acknowledged.length >= 3, 15_000);
    const before = acknowledged.length;
    const { from, to } = await topology.failover();
    // Sign-ins go on until Porter acknowledges them on the new master again.
    await waitUntil(async () => acknowledged.length > before + 10, 15_000);
    running = false;
    await loops;
    expect(to).not.toBe(from);
    // The old master rejoins as a replica of the new one, dropping what it took meanwhile.
    const old = topology.servers.find((server) => server.port === from)!;
    await waitUntil(async () => String(await old.command('INFO', 'replication').catch(() => '')).includes('master_link_status:up'), 20_000);
    await waitUntil(async () => (await fetch(`${stack.appUrl}/readyz`)).status === 200, 5000);

    const statuses = new Map<number, number>();
    for (const browser of acknowledged) {
      const { status } = await browser.fetch(`${stack.appUrl}/auth/me`, { headers: { accept: 'application/json' } });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const lost = acknowledged.length - (statuses.get(200) ?? 0);
    expect({ acknowledged: acknowledged.length, lost, statuses: [...statuses] }).toEqual({ acknowledged: acknowledged.length, lost: 0, statuses: [[200, acknowledged.length]] });
    // Saved and indexed in one round trip: the new master holds the index entries of each, too.
    const master = topology.servers.find((server) => server.port === to)!;
    const prefix = stack.instances[0]!.config.redis.prefix;
    const indexed = new Set((await master.command('ZRANGE', `${prefix}user-sessions:${subOf(stack, 'student')}`, 0, -1)) as string[]);
    const counted = new Set((await master.command('ZRANGE', `${prefix}live-sessions:student`, 0, -1)) as string[]);
    const ids = acknowledged.map((browser) => sessionIdOf(browser, stack));
    expect(ids.filter((id) => !indexed.has(id) || !counted.has(id))).toEqual([]);
    // And no index entry names a session that is not there (a sign-in refused during the failover took its entries out).
    const phantoms = [];
    for (const id of counted) if ((await master.command('EXISTS', `${prefix}sess:${id}`)) === 0) phantoms.push(id);
    expect(phantoms).toEqual([]);
  }, 60_000);
});

describe('a sign-in revoked while it waits for its replica', () => {
  it('stays revoked: a browser that brought a session cookie is not brought back to life by the end of its request', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    // Signing in again with its session cookie: Campus One's session answers at once.
    const atCallback = await browser.navigate(`${stack.appUrl}/auth/login?returnTo=/dashboard`, { stop: (url) => url.pathname === '/auth/callback' });
    const prefix = stack.instances[0]!.config.redis.prefix;
    const master = await topology.masterPort();
    const monitor = await new Redis({ port: master, host: '127.0.0.1' }).monitor();
    // The replica frozen: the sign-in waits for it (WAIT, 250 ms) once its session is saved and indexed.
    const replica = await topology.replica();
    replica.pause();
    try {
      const saved = new Promise<void>((resolve) =>
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args[0]?.toLowerCase() === 'set' && args[1]?.startsWith(`${prefix}sess:`) && args.includes('NX')) resolve();
        }),
      );
      const callback = browser.fetch(atCallback.url);
      await saved;
      // Campus One removes the user meanwhile, through the other instance: every session of theirs ends, the new one too.
      const removed = await deliverWebhook(`${stack.instances[1]!.origin}/webhooks/campus-one`, WEBHOOK_SECRET, webhookEvent('user.deleted', { user_id: subOf(stack, 'student') }));
      expect(removed.status).toBe(200);
      await (await callback).arrayBuffer();
    } finally {
      replica.resume();
      monitor.disconnect();
    }
    const me = await browser.fetch(`${stack.appUrl}/auth/me`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(401);
  }, 30_000);
});
