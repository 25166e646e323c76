import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from './support/env.js';
import { sessionIdOf } from './support/session.js';
import { Browser, signIn, startStack, type Stack } from './support/stack.js';

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
const me = (browser: Browser) => browser.fetch(`${stack.appUrl}/auth/me`);
const sessionKey = (browser: Browser) => `${instance().config.redis.prefix}sess:${sessionIdOf(browser, stack)}`;

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

describe('the hot path', () => {
  it('answers an anonymous visitor without touching Redis', async () => {
    const commands = await commandsDuring(async () => {
      expect((await me(new Browser())).status).toBe(401);
    });
    expect(commands).toEqual([]);
  });

  it('reads the session once and writes nothing while the idle expiry need not move', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const key = sessionKey(browser);
    const commands = await commandsDuring(async () => {
      for (let i = 0; i < 5; i++) expect((await me(browser)).status).toBe(200);
    });
    expect(commands).toEqual(Array.from({ length: 5 }, () => ['get', key]));
  });

  it('moves the idle expiry once per touch interval, with one write', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const first = (await (await me(browser)).json()) as { session: { expiresAt: string } };
    instance().clock.offsetMs = 6 * MINUTE;
    try {
      const commands = await commandsDuring(async () => {
        await me(browser);
        await me(browser);
      });
      const writes = commands.filter(([name]) => name?.toLowerCase() === 'set');
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
