import { Agent, request } from 'node:http';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverWebhook, webhookEvent } from '../../dev/webhooks.js';
import { waitUntil } from '../support/env.js';
import { errorCode } from '../support/errors.js';
import { RedisProcess } from '../support/redis-processes.js';
import { sessionIdOf } from '../support/session.js';
import { Browser, chooseAccount, signedInBrowser, startStack, subOf, type Stack } from '../support/stack.js';

/**
 * Porter in front of a Redis that stalls, sleeps, crashes and drops its clients, for real:
 * a store ERROR is never "no session", every route answers 503 within a second, the
 * connection survives, and Porter recovers by itself within a second once Redis is back.
 */

const WEBHOOK_SECRET = 'fault-webhook-secret';
/** The bound on any answer while Redis hangs, and on recovery once it is back. */
const FAULT_BOUND_MS = 1000;

let redis: RedisProcess;
let stack: Stack;
const logged: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  redis = await RedisProcess.start({ aof: true });
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  // The API route's upstream listens nowhere: a forwarded call answers 502, after the session read.
  stack = await startStack({ redisUrl: redis.url, log, env: { CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET, PORTER_API_ROUTES: '/api/campus=http://127.0.0.1:9' } });
});
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});
// Each test leaves Redis running and Porter serving again, whatever it did to them.
afterEach(async () => {
  if (redis.isPaused) redis.resume();
  if (!redis.isRunning) await redis.restart();
  await waitUntil(async () => (await fetch(`${origin()}/readyz`)).status === 200, 5000);
});

const origin = () => stack.appUrl;
const json = { headers: { accept: 'application/json' } };
const sessionKey = (browser: Browser) => `${stack.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, stack)}`;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

/** Polls /auth/me until it answers 200 again; how long that took after Redis came back, in ms. */
async function recovery(browser: Browser): Promise<number> {
  const start = performance.now();
  await waitUntil(async () => (await browser.fetch(`${origin()}/auth/me`, json)).status === 200, 5000);
  return performance.now() - start;
}

async function expectStoreUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(await errorCode(response)).toBe('porter/store_unavailable');
}

describe('a failed session read never ends the session', () => {
  it('keeps the session when Redis is frozen (SIGSTOP) during /auth/me, /api/admin/reports and the API proxy', async () => {
    const staff = await signedInBrowser(stack, 'staff');
    redis.pause();
    try {
      await expectStoreUnavailable(await staff.fetch(`${origin()}/auth/me`, json));
      await expectStoreUnavailable(await staff.fetch(`${origin()}/api/admin/reports`, json));
      await expectStoreUnavailable(await staff.fetch(`${origin()}/api/campus/me/courses`, json));
    } finally {
      redis.resume();
    }
    await recovery(staff);
    expect(await redis.command('EXISTS', sessionKey(staff))).toBe(1);
    expect((await staff.fetch(`${origin()}/api/admin/reports`, json)).status).toBe(200);
    expect(await errorCode(await staff.fetch(`${origin()}/api/campus/me/courses`, json))).toBe('porter/upstream_unavailable');
  });

  it('keeps the session when Redis refuses the read but would accept a delete (an ACL without GET)', async () => {
    const staff = await signedInBrowser(stack, 'staff');
    // A reply error, not an outage: the breaker stays closed and a DEL would go through.
    await redis.command('ACL', 'SETUSER', 'default', '-get');
    try {
      await expectStoreUnavailable(await staff.fetch(`${origin()}/auth/me`, json));
      await expectStoreUnavailable(await staff.fetch(`${origin()}/api/admin/reports`, json));
      await expectStoreUnavailable(await staff.fetch(`${origin()}/api/campus/me/courses`, json));
      await expectStoreUnavailable(await staff.fetch(`${origin()}/auth/login`, json));
    } finally {
      await redis.command('ACL', 'SETUSER', 'default', '+get');
    }
    expect(await redis.command('EXISTS', sessionKey(staff))).toBe(1);
    expect((await staff.fetch(`${origin()}/auth/me`, json)).status).toBe(200);
  });

  it('keeps the session when Redis is busy (DEBUG SLEEP) past the read timeout', async () => {
    const student = await signedInBrowser(stack, 'student');
    const busy = redis.sleep(2.5);
    try {
      // The sleep starts once Redis reads it: wait until Porter meets it.
      await waitUntil(async () => (await student.fetch(`${origin()}/auth/me`, json)).status === 503, 2000);
    } finally {
      await busy;
    }
    await recovery(student);
    expect(await redis.command('EXISTS', sessionKey(student))).toBe(1);
  });

  it('keeps every session across a crash and a restart on the same data (AOF)', async () => {
    const student = await signedInBrowser(stack, 'student');
    await redis.kill();
    await expectStoreUnavailable(await student.fetch(`${origin()}/auth/me`, json));
    await redis.restart();
    expect(await recovery(student)).toBeLessThan(FAULT_BOUND_MS);
    expect(await redis.command('EXISTS', sessionKey(student))).toBe(1);
  });

  it('keeps the session when Redis drops Porter’s connections (CLIENT KILL)', async () => {
    const student = await signedInBrowser(stack, 'student');
    expect(await redis.killClients()).toBeGreaterThan(0);
    const right = await student.fetch(`${origin()}/auth/me`, json);
    expect([200, 503]).toContain(right.status);
    await recovery(student);
    expect(await redis.command('EXISTS', sessionKey(student))).toBe(1);
  });
});

describe('a silent sign-in while Redis refuses writes', () => {
  it('ends on the visitor’s page, marked anonymous, when its return cannot be marked used (an ACL without SET)', async () => {
    const browser = new Browser();
    const atCallback = await browser.navigate(`${origin()}/auth/login?prompt=none&returnTo=/news`, { stop: (url) => url.pathname === '/auth/callback' });
    await redis.command('ACL', 'SETUSER', 'default', '-set');
    try {
      const response = await browser.fetch(atCallback.url);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/news');
      expect(browser.cookie('c1_anon')).toBe('1');
    } finally {
      await redis.command('ACL', 'SETUSER', 'default', '+set');
    }
  });
});

describe('a sign-in whose session cannot be indexed', () => {
  it('answers 503, sends no session cookie, and leaves no session that no revocation could find (an ACL without ZADD)', async () => {
    const browser = new Browser();
    const page = await browser.navigate(`${origin()}/auth/login?returnTo=/dashboard`);
    const atCallback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
    const sessions = () => redis.command('KEYS', `${stack.instances[0]!.config.redis.prefix}sess:*`) as Promise<string[]>;
    const before = await sessions();
    await redis.command('ACL', 'SETUSER', 'default', '-zadd');
    try {
      await expectStoreUnavailable(await browser.fetch(atCallback.url, json));
      expect(browser.cookie(stack.instances[0]!.config.session.cookieName)).toBeUndefined();
      expect((await sessions()).sort()).toEqual(before.sort());
    } finally {
      await redis.command('ACL', 'SETUSER', 'default', '+zadd');
    }
  });
});

describe('a sign-in whose session cannot be saved', () => {
  /** Every session id the indexes name (by user, by Campus One session, by role), as `<index key> <id>`. */
  async function indexEntries(): Promise<string[]> {
    const prefix = stack.instances[0]!.config.redis.prefix;
    const keys = (
      await Promise.all(['user-sessions:*', 'sid-sessions:*', 'live-sessions:*'].map((pattern) => redis.command('KEYS', `${prefix}${pattern}`) as Promise<string[]>))
    ).flat();
    const entries = await Promise.all(keys.map(async (key) => ((await redis.command('ZRANGE', key, 0, -1)) as string[]).map((id) => `${key} ${id}`)));
    return entries.flat().sort();
  }

  it.each([
    ['a browser with no session', () => Promise.resolve(new Browser())],
    ['a browser signed in already (its session is ended first)', () => signedInBrowser(stack, 'staff')],
  ])('answers 503 and adds nothing to the indexes, though they were written with the save, for %s (an ACL without SET on sessions)', async (_name, open) => {
    const prefix = stack.instances[0]!.config.redis.prefix;
    const browser = await open();
    const toCallback = (url: URL) => url.pathname === '/auth/callback';
    // A browser signed in at Campus One comes straight back (single sign-on).
    const page = await browser.navigate(`${origin()}/auth/login?returnTo=/dashboard`, { stop: toCallback });
    const atCallback = toCallback(page.url) ? page : await chooseAccount(browser, page, 'student', toCallback);
    const before = await indexEntries();
    // SET stays allowed on every key but a session's (the return is marked used, the person recorded).
    await redis.command('ACL', 'SETUSER', 'default', '-set', `(+set ~${prefix}[^s]*)`);
    try {
      await expectStoreUnavailable(await browser.fetch(atCallback.url, json));
    } finally {
      await redis.command('ACL', 'SETUSER', 'default', '+set', 'clearselectors');
    }
    expect((await browser.fetch(`${origin()}/auth/me`, json)).status).toBe(401);
    expect((await indexEntries()).filter((entry) => !before.includes(entry))).toEqual([]);
  });
});

describe('a store error on a keep-alive connection', () => {
  /** Requests over one keep-alive socket: each answer's status and the client port it went out from. */
  function oneConnection() {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; port: number | undefined }>((resolve, reject) => {
        const req = request(`${origin()}${path}`, { agent, method, headers: { accept: 'application/json', ...headers } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, port: req.socket?.localPort }));
        });
        req.on('error', reject);
        req.end();
      });
    return { send, close: () => agent.destroy() };
  }

  /** Runs `fault` with stderr watched: nothing may print a raw stack there. */
  async function withoutStderr(fault: () => Promise<void>) {
    const stderr = vi.spyOn(process.stderr, 'write');
    const consoleError = vi.spyOn(console, 'error');
    try {
      await fault();
      expect(stderr).not.toHaveBeenCalled();
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      consoleError.mockRestore();
    }
  }

  it('answers 503 with Redis down, then the next request on the same connection', async () => {
    const student = await signedInBrowser(stack, 'student');
    const connection = oneConnection();
    try {
      await withoutStderr(async () => {
        await redis.kill();
        const failed = await connection.send('GET', '/auth/me', { cookie: student.cookieHeader(new URL(`${origin()}/auth/me`)) });
        expect(failed.status).toBe(503);
        const next = await connection.send('GET', '/healthz');
        expect(next).toEqual({ status: 200, port: failed.port });
      });
    } finally {
      connection.close();
    }
  });

  it('logs an error met after the answer (a sign-out whose delete fails) and keeps the connection', async () => {
    const staff = await signedInBrowser(stack, 'staff');
    const connection = oneConnection();
    logged.length = 0;
    try {
      await withoutStderr(async () => {
        // Reads go on, writes wait: the sign-out reads its session, then cannot delete it.
        await redis.command('CLIENT', 'PAUSE', 2000, 'WRITE');
        const cookie = staff.cookieHeader(new URL(`${origin()}/auth/logout`));
        const failed = await connection.send('POST', '/auth/logout', { cookie, 'x-csrf': '1' });
        expect(failed.status).toBe(503);
        const next = await connection.send('GET', '/healthz');
        expect(next).toEqual({ status: 200, port: failed.port });
      });
    } finally {
      await redis.command('CLIENT', 'UNPAUSE');
      connection.close();
    }
    expect(logged.some((line) => line.msg === 'error after the answer was sent')).toBe(true);
  });
});

describe('every route while Redis hangs', () => {
  it(`answers 503 porter/store_unavailable within ${FAULT_BOUND_MS} ms, and serves again within ${FAULT_BOUND_MS} ms of SIGCONT`, async () => {
    const staff = await signedInBrowser(stack, 'staff');
    const cookie = { headers: { accept: 'application/json' } };
    redis.pause();
    let answers: Array<{ route: string; ms: number; value: Response }>;
    try {
      const routes: Array<[string, () => Promise<Response>]> = [
        ['/auth/me', () => staff.fetch(`${origin()}/auth/me`, cookie)],
        ['/auth/login', () => staff.fetch(`${origin()}/auth/login`, cookie)],
        ['/api/admin/reports', () => staff.fetch(`${origin()}/api/admin/reports`, cookie)],
        ['/readyz', () => staff.fetch(`${origin()}/readyz`, cookie)],
        [
          '/webhooks/campus-one',
          () =>
            deliverWebhook(
              `${origin()}/webhooks/campus-one`,
              WEBHOOK_SECRET,
              webhookEvent('user.role_changed', { user_id: subOf(stack, 'staff'), email: 'x@campus.example', previous_role: 'staff', new_role: 'admin' }),
            ),
        ],
      ];
      // Side by side, as page views arrive: the first ones meet the hang, not a known outage.
      answers = await Promise.all(routes.map(async ([route, send]) => ({ route, ...(await timed(send)) })));
    } finally {
      redis.resume();
    }
    for (const { route, ms, value } of answers) {
      expect({ route, status: value.status }).toEqual({ route, status: 503 });
      expect({ route, fast: ms < FAULT_BOUND_MS }).toEqual({ route, fast: true });
      const body = (await value.json()) as { error?: { code: string }; store?: string };
      if (route === '/readyz') expect(body.store).toBe('down');
      else expect(body.error?.code).toBe('porter/store_unavailable');
    }
    expect(await recovery(staff)).toBeLessThan(FAULT_BOUND_MS);
  });

  it(`keeps answering within ${FAULT_BOUND_MS} ms while Redis stays frozen, and recovers after a restart without restarting Porter`, async () => {
    const student = await signedInBrowser(stack, 'student');
    redis.pause();
    for (let i = 0; i < 3; i++) {
      const { ms, value } = await timed(() => student.fetch(`${origin()}/auth/me`, json));
      await expectStoreUnavailable(value);
      expect(ms).toBeLessThan(FAULT_BOUND_MS);
    }
    await redis.kill();
    await redis.restart();
    expect(await recovery(student)).toBeLessThan(FAULT_BOUND_MS);
    expect(logged.some((line) => line.code === 'porter/store_unavailable')).toBe(true);
  });
});
