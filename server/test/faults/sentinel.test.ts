import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/env.js';
import { SentinelTopology } from '../support/redis-processes.js';
import { sessionIdOf } from '../support/session.js';
import { Browser, signIn, startStack, subOf, type Stack } from '../support/stack.js';

/**
 * Porter on a real Sentinel topology (a master, a replica, three Sentinels) through
 * `REDIS_URL=redis-sentinel://...`, failed over with `SENTINEL FAILOVER` while people sign in.
 */

let topology: SentinelTopology;
let stack: Stack;
beforeAll(async () => {
  topology = await SentinelTopology.start();
  stack = await startStack({ redisUrl: topology.url });
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
