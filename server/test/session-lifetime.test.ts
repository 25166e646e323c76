import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisUrl } from './support/env.js';
import { sessionIdOf } from './support/session.js';
import { Browser, signIn, signedInBrowser, startStack, type Stack } from './support/stack.js';

const MINUTE = 60_000;
let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  stack = await startStack({
    env: { SESSION_IDLE_TIMEOUT_MS: String(90 * MINUTE), SESSION_TOUCH_INTERVAL_MS: String(5 * MINUTE) },
  });
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await stack.close();
});

const instance = () => stack.instances[0]!;
const me = (browser: Browser, on: Stack = stack) => browser.fetch(`${on.appUrl}/auth/me`);
const sessionKey = (browser: Browser, on: Stack = stack) => `${on.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, on)}`;
const storedTokens = async (browser: Browser) => (JSON.parse((await redis.get(sessionKey(browser))) ?? '{}') as { tokens?: string }).tokens;

/** Every command Redis receives while `run` runs, from a MONITOR connection. */
async function commandsDuring(run: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await redis.duplicate().monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
  await run();
  // A marker command that this connection sends last: when it is seen, everything before it was too.
  await redis.ping('end-of-run');
  await new Promise<void>((resolve) => {
    const check = () => (seen.some((args) => args[1] === 'end-of-run') ? resolve() : setImmediate(check));
    check();
  });
  monitor.disconnect();
  return seen.filter((args) => args[1] !== 'end-of-run' && args[0]?.toLowerCase() !== 'ping');
}

/** The commands of one stack among those seen: other test files share this Redis. */
const commandsOf = (on: Stack, commands: string[][]) => commands.filter((args) => args[1]?.startsWith(on.instances[0]!.config.redis.prefix));

describe('a sign-in', () => {
  it.each([
    ['with no session cookie', () => Promise.resolve(new Browser())],
    ['with a session cookie (its session is ended first)', () => signedInBrowser(stack, 'student')],
  ])('saves its session before it indexes it, so no listing finds an index entry without its session: a browser %s', async (_name, open) => {
    const browser = await open();
    const commands = await commandsDuring(() => signIn(browser, stack, 'student'));
    const prefix = instance().config.redis.prefix;
    const id = sessionIdOf(browser, stack);
    const saved = commands.findIndex(([name, key]) => name?.toLowerCase() === 'set' && key === `${prefix}sess:${id}`);
    const indexed = commands.findIndex(([name, , , key, , , member]) => name?.toLowerCase() === 'eval' && key?.startsWith(`${prefix}user-sessions:`) && member === id);
    expect(saved).toBeGreaterThanOrEqual(0);
    expect(indexed).toBeGreaterThan(saved);
  });
});

describe('the hot path', () => {
  it('answers an anonymous visitor without touching Redis', async () => {
    const commands = await commandsDuring(async () => {
      expect((await me(new Browser())).status).toBe(401);
    });
    expect(commandsOf(stack, commands)).toEqual([]);
  });

  it('reads the session once and writes nothing while the idle expiry need not move', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const key = sessionKey(browser);
    const commands = await commandsDuring(async () => {
      for (let i = 0; i < 5; i++) expect((await me(browser)).status).toBe(200);
    });
    expect(commandsOf(stack, commands)).toEqual(Array.from({ length: 5 }, () => ['get', key]));
  });

  it('moves the idle expiry once per touch interval, with one write', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const first = (await (await me(browser)).json()) as { session: { expiresAt: string } };
    instance().clock.offsetMs = 6 * MINUTE;
    try {
      // Each answer read whole: express-session sends its last byte only once the write landed.
      const commands = await commandsDuring(async () => {
        await (await me(browser)).text();
        await (await me(browser)).text();
      });
      const writes = commandsOf(stack, commands).filter(([name]) => name?.toLowerCase() === 'set');
      expect(writes).toHaveLength(1);
      const second = (await (await me(browser)).json()) as { session: { expiresAt: string } };
      expect(Date.parse(second.session.expiresAt) - Date.parse(first.session.expiresAt)).toBeGreaterThanOrEqual(6 * MINUTE - 1000);
    } finally {
      instance().clock.offsetMs = 0;
    }
  });
});

describe('expiry', () => {
  it('ends a session left idle past the idle timeout', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    instance().clock.offsetMs = 91 * MINUTE;
    try {
      expect((await me(browser)).status).toBe(401);
    } finally {
      instance().clock.offsetMs = 0;
    }
    expect((await me(browser)).status).toBe(401);
  });

  it('reads the session once when the shortcut leaves it to Express to end', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const key = sessionKey(browser);
    instance().clock.offsetMs = 91 * MINUTE;
    try {
      const commands = await commandsDuring(async () => expect((await me(browser)).status).toBe(401));
      expect(commands.filter(([name, arg]) => name === 'get' && arg === key)).toHaveLength(1);
      expect(commands).toContainEqual(['del', key]);
    } finally {
      instance().clock.offsetMs = 0;
    }
  });

  it('gives the Redis key a time to live no longer than the idle timeout', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const ttl = await redis.pttl(sessionKey(browser));
    expect(ttl).toBeGreaterThan(89 * MINUTE);
    expect(ttl).toBeLessThanOrEqual(90 * MINUTE);
  });

  it('keeps tokens sealed in Redis', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const stored = (await redis.get(sessionKey(browser))) ?? '';
    expect(stored).toContain('"role":"student"');
    expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/); // no JWS (id_token) in clear
  });
});

describe('token refresh', () => {
  it('refreshes the access token when it is about to expire, keeping the session', async () => {
    // Campus One's access tokens last an hour; this session's idle timeout is longer.
    const browser = new Browser();
    instance().clock.offsetMs = 0;
    await signIn(browser, stack, 'student');
    await me(browser);
    const before = JSON.parse((await redis.get(sessionKey(browser))) ?? '{}') as { tokens: string; accessTokenExpiresAt: number };
    instance().clock.offsetMs = 59.5 * MINUTE;
    try {
      expect((await me(browser)).status).toBe(200);
      expect((await me(browser)).status).toBe(200);
    } finally {
      instance().clock.offsetMs = 0;
    }
    const after = JSON.parse((await redis.get(sessionKey(browser))) ?? '{}') as { tokens: string; accessTokenExpiresAt: number };
    expect(after.tokens).not.toBe(before.tokens);
    expect(after.accessTokenExpiresAt).toBeGreaterThan(before.accessTokenExpiresAt + 59 * MINUTE);
    expect((await me(browser)).status).toBe(200);
  });
});

describe('token refresh with others at work', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    instance().clock.offsetMs = 0;
  });

  /**
   * Runs `meanwhile` when this instance's next refresh asks for its lock, with `take` asking
   * real Redis; the refresh after it asks Redis directly, and `took` says when it holds the lock.
   */
  function whenRefreshesAskForTheLock(meanwhile: (take: () => Promise<boolean>, took: Promise<void>) => Promise<boolean>) {
    const kv = instance().kv;
    const setIfAbsent = kv.setIfAbsent.bind(kv);
    let tookLock = () => {};
    const took = new Promise<void>((resolve) => (tookLock = resolve));
    vi.spyOn(kv, 'setIfAbsent')
      .mockImplementationOnce((key, value, ttlMs) => meanwhile(() => setIfAbsent(key, value, ttlMs), took))
      .mockImplementationOnce(async (key, value, ttlMs) => {
        const taken = await setIfAbsent(key, value, ttlMs);
        tookLock();
        return taken;
      });
  }

  it('ends the session when it is revoked between the request reading it and the refresh', async () => {
    const browser = await signedInBrowser(stack, 'student');
    const key = sessionKey(browser);
    whenRefreshesAskForTheLock(async (take) => {
      const taken = await take();
      // Another instance revokes the session (admin, webhook, back-channel logout).
      await redis.del(key);
      return taken;
    });
    instance().clock.offsetMs = 59.5 * MINUTE;
    expect((await me(browser)).status).toBe(401);
  });

  it('keeps the refreshed tokens when a request that found the refresh under way writes back its older copy', async () => {
    const browser = await signedInBrowser(stack, 'student');
    const otherTab = browser.clone();
    const original = await storedTokens(browser);
    let refreshed: string | undefined;
    whenRefreshesAskForTheLock(async (take, took) => {
      // This request has read the session; the other tab's request takes the lock first and refreshes.
      const other = me(otherTab);
      await took;
      const taken = await take();
      expect(taken).toBe(false);
      expect((await other).status).toBe(200);
      refreshed = await storedTokens(browser);
      return taken;
    });
    // Past the touch interval too, so this request writes its copy back.
    instance().clock.offsetMs = 59.5 * MINUTE;
    expect((await me(browser)).status).toBe(200);
    expect(refreshed).not.toBe(original);
    expect(await storedTokens(browser)).toBe(refreshed);
    // Campus One rotates refresh tokens and revokes the grant when a used one comes back.
    instance().clock.offsetMs = 119.5 * MINUTE;
    expect((await me(browser)).status).toBe(200);
  });
});

describe('sessions that cannot refresh', () => {
  const env = { SESSION_IDLE_TIMEOUT_MS: String(180 * MINUTE), SESSION_TOUCH_INTERVAL_MS: String(5 * MINUTE) };

  it('answers from one Redis read once the access token nears expiry, with no refresh token to use', async () => {
    const noOffline = await startStack({ env: { ...env, CAMPUS_ONE_SCOPES: 'openid profile email academic roles' } });
    try {
      const browser = await signedInBrowser(noOffline, 'student');
      noOffline.instances[0]!.clock.offsetMs = 120 * MINUTE;
      expect((await me(browser, noOffline)).status).toBe(200);
      const commands = await commandsDuring(async () => {
        for (let i = 0; i < 5; i++) expect((await me(browser, noOffline)).status).toBe(200);
      });
      expect(commandsOf(noOffline, commands)).toEqual(Array.from({ length: 5 }, () => ['get', sessionKey(browser, noOffline)]));
    } finally {
      await noOffline.close();
    }
  });

  it('after a failed refresh, answers from one Redis read until the retry time, then tries again', async () => {
    const down = await startStack({ env });
    try {
      const browser = await signedInBrowser(down, 'student');
      await down.provider.close();
      down.instances[0]!.clock.offsetMs = 59.5 * MINUTE;
      expect((await me(browser, down)).status).toBe(200);
      const waiting = await commandsDuring(async () => {
        for (let i = 0; i < 3; i++) expect((await me(browser, down)).status).toBe(200);
      });
      expect(commandsOf(down, waiting)).toEqual(Array.from({ length: 3 }, () => ['get', sessionKey(browser, down)]));
      down.instances[0]!.clock.offsetMs = 60.6 * MINUTE;
      const retry = await commandsDuring(async () => expect((await me(browser, down)).status).toBe(200));
      expect(commandsOf(down, retry).filter(([name, key]) => name === 'set' && key?.includes('refresh-lock'))).toHaveLength(1);
    } finally {
      await down.close();
    }
  });

  it('keeps the session when Campus One refuses this server’s client credentials', async () => {
    // The local provider answers `invalid_client` with a 401 challenge; other deployments answer
    // with a 400 JSON body, which a stand-in token endpoint gives here.
    const upstream = { discoveryUrl: '' };
    const rejecting = createServer((req, res) => {
      if (req.url === '/token') {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      fetch(upstream.discoveryUrl)
        .then((answer) => answer.json() as Promise<Record<string, unknown>>)
        .then((metadata) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...metadata, token_endpoint: `${origin}/token` })));
    });
    await new Promise<void>((resolve) => rejecting.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(rejecting.address() as AddressInfo).port}`;
    const misconfigured = await startStack({
      instances: 3,
      env,
      instanceEnv: [{}, { CAMPUS_ONE_CLIENT_SECRET: 'not-the-registered-secret-0123456789' }, { CAMPUS_ONE_DISCOVERY_URL: `${origin}/.well-known/openid-configuration` }],
    });
    upstream.discoveryUrl = misconfigured.provider.discoveryUrl;
    try {
      for (const instance of misconfigured.instances.slice(1)) {
        const browser = await signedInBrowser(misconfigured, 'student');
        instance.clock.offsetMs = 59.5 * MINUTE;
        expect((await browser.fetch(`${instance.origin}/auth/me`)).status).toBe(200);
        expect((await me(browser, misconfigured)).status).toBe(200);
      }
    } finally {
      await misconfigured.close();
      rejecting.closeAllConnections();
      await new Promise((resolve) => rejecting.close(resolve));
    }
  });
});
