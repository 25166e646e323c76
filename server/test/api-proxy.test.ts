// The API proxy (/api/<name>/... → an upstream with the session's access token), over real HTTP:
// two Porter instances, the real local Campus One and the real dev campus API (which checks
// every token by introspection at that Campus One), plus a plain node:http upstream for what the
// campus API never does (set cookies, hop-by-hop answer fields) and a port nobody listens on.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/redis.mjs';
import { startCampusApi, type CampusApi, type MyCourses } from '../dev/campus-api.js';
import { createLogger } from '../src/log.js';
import { createKeys } from '../src/store/keys.js';
import { redisUrl, waitUntil } from './support/env.js';
import { serveMetrics, series } from './support/metrics.js';
import { sessionIdOf } from './support/session.js';
import { CLIENT, SESSION_SECRET, signedInBrowser, startStack, type Browser, type Stack } from './support/stack.js';

const MINUTE = 60_000;
const TIMEOUT_MS = 3000;

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with the path sent byte for byte (fetch would resolve `..` and re-encode). */
function raw(origin: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const url = new URL(origin);
    const req = request({ host: url.hostname, port: url.port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const errorCode = (answer: Raw) => (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;

let stack: Stack;
let campusApi: CampusApi;
let plain: Server;
let redis: Redis;
let student: Browser;
/** What the plain upstream received last. */
let plainSaw: IncomingHttpHeaders = {};
/** Every `Authorization` the plain upstream received. */
const plainAuthorizations: string[] = [];
/** What the instances logged, at info, through the production logger's configuration. */
const logLines: string[] = [];
const logged = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

const cookieOf = (browser: Browser) => browser.cookieHeader(new URL(`${stack.appUrl}/api/`));
const origin = (instance: number) => stack.instances[instance]!.origin;

beforeAll(async () => {
  // The campus API introspects at the stack's Campus One, which starts with the stack: so its
  // port is chosen first and the campus API starts on it afterwards.
  const [campusPort, deadPort] = await Promise.all([freePort(), freePort()]);
  plain = createServer((req, res) => {
    plainSaw = req.headers;
    plainAuthorizations.push(req.headers.authorization ?? '');
    res.writeHead(200, {
      'content-type': 'application/json',
      'set-cookie': 'stolen=1; Path=/',
      connection: 'x-hop-answer',
      'x-hop-answer': 'connection-specific',
      'keep-alive': 'timeout=5',
      'x-end-to-end': 'kept',
    });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  const campusUrl = `http://127.0.0.1:${campusPort}`;
  stack = await startStack({
    instances: 2,
    env: {
      PORTER_API_ROUTES: [
        `/api/campus=${campusUrl}`,
        `/api/echo=${campusUrl}/echo/base/`,
        `/api/plain=${plainUrl}`,
        `/api/down=http://127.0.0.1:${deadPort}`,
      ].join(','),
      PORTER_API_TIMEOUT_MS: String(TIMEOUT_MS),
      SESSION_IDLE_TIMEOUT_MS: String(180 * MINUTE),
    },
    instanceEnv: [{}, { TRUST_PROXY: '192.0.2.1' }],
    log: createLogger('info', { write: (line: string) => void logLines.push(line) }),
  });
  campusApi = await startCampusApi({ introspection: stack.provider.introspection, port: campusPort });
  redis = new Redis(redisUrl());
  student = await signedInBrowser(stack, 'student');
});

afterAll(async () => {
  redis?.disconnect();
  await campusApi?.close();
  await new Promise((resolve) => plain?.close(resolve));
  await stack?.close();
});

/** The upstream's counters that any forwarded request moves. */
const upstreamCalls = () => campusApi.counters.requests + campusApi.counters.unauthorized;

describe('forwarding', () => {
  it("answers the student's courses from the campus API, which saw the session's access token", async () => {
    const answer = await raw(origin(0), '/api/campus/me/courses', { headers: { cookie: cookieOf(student) } });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as MyCourses;
    expect(body.courses.length).toBeGreaterThan(0);
    expect(body.courses.filter((course) => course.registered).length).toBeGreaterThan(0);
  });

  it('sends only the bearer token: no cookie, CSRF header, client Authorization or client forwarding claims; Porter’s own X-Forwarded-*', async () => {
    const answer = await raw(origin(1), '/api/echo/x/y?b=%2F&a=1&a=2&empty=', {
      method: 'POST',
      headers: {
        cookie: cookieOf(student),
        authorization: 'Bearer client-chosen-token',
        'x-csrf': '1',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'gopher',
        forwarded: 'for=203.0.113.9',
        connection: 'keep-alive, x-hop-request',
        'x-hop-request': 'connection-specific',
        'x-end-to-end': 'kept',
        'content-type': 'text/plain',
      },
      body: 'hello',
    });
    expect(answer.status).toBe(200);
    const echo = JSON.parse(answer.body) as { method: string; path: string; query: string; headers: IncomingHttpHeaders; bodyBytes: number; sub: string };
    expect(echo).toMatchObject({ method: 'POST', path: '/echo/base/x/y', query: 'b=%2F&a=1&a=2&empty=', bodyBytes: 5 });
    expect(echo.sub).toBe(stack.provider.accounts.find((account) => account.id === 'student')?.sub);
    expect(echo.headers.authorization).toMatch(/^Bearer (?!client-chosen-token)\S+$/);
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers['x-csrf']).toBeUndefined();
    expect(echo.headers['x-hop-request']).toBeUndefined();
    expect(echo.headers.forwarded).toBeUndefined();
    expect(echo.headers['x-end-to-end']).toBe('kept');
    // Instance 1 trusts no proxy on loopback: the client's own claims are not believed.
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-host']).toBe(new URL(stack.appUrl).host);
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers.host).toBe(new URL(campusApi.url).host);
  });

  it('sends the client address as `trust proxy` resolves it (instance 0 trusts loopback, as behind the web app)', async () => {
    const answer = await raw(origin(0), '/api/echo', { headers: { cookie: cookieOf(student), 'x-forwarded-for': '203.0.113.9' } });
    expect((JSON.parse(answer.body) as { headers: IncomingHttpHeaders }).headers['x-forwarded-for']).toBe('203.0.113.9');
  });

  it('appends nothing but the base path for the prefix itself', async () => {
    const answer = await raw(origin(0), '/api/echo?q=1', { headers: { cookie: cookieOf(student) } });
    expect(JSON.parse(answer.body)).toMatchObject({ path: '/echo/base', query: 'q=1' });
  });

  it('drops the upstream’s Set-Cookie and hop-by-hop answer fields, keeps the rest', async () => {
    const answer = await raw(origin(0), '/api/plain/anything', { headers: { cookie: cookieOf(student) } });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"ok":true}');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['x-hop-answer']).toBeUndefined();
    expect(answer.headers['x-end-to-end']).toBe('kept');
    expect(plainSaw.authorization).toMatch(/^Bearer \S+$/);
  });

  it('passes the upstream’s 4xx answers through unchanged', async () => {
    const unknown = await raw(origin(0), '/api/campus/me/courses/XYZ999/register', {
      method: 'POST',
      headers: { cookie: cookieOf(student), 'x-csrf': '1' },
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('campus/unknown_course');
    const missing = await raw(origin(0), '/api/campus/no/such/route', { headers: { cookie: cookieOf(student) } });
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('campus/not_found');
  });
});

describe('refusals', () => {
  it('answers 401 JSON, never a redirect, without a session, and never calls the upstream', async () => {
    const before = upstreamCalls();
    for (const [method, headers] of [
      ['GET', { accept: 'text/html' }],
      ['POST', { 'x-csrf': '1' }],
    ] as const) {
      const answer = await raw(origin(0), '/api/campus/me/courses', { method, headers });
      expect(answer.status).toBe(401);
      expect(answer.headers.location).toBeUndefined();
      expect(errorCode(answer)).toBe('porter/unauthenticated');
    }
    expect(upstreamCalls()).toBe(before);
  });

  it.each([
    '/api/campus/../admin',
    '/api/campus/me/../../admin',
    '/api/campus/%2e%2e/admin',
    '/api/campus/%2E%2E/admin',
    '/api/campus/.%2e/admin',
    '/api/campus/%2e./admin',
    '/api/campus/me/..',
    '/api/campus/./me/courses',
    '/api/campus/%2e/me/courses',
    '/api/campus/me%2fcourses',
    '/api/campus/me%2Fcourses',
    '/api/campus/me%5ccourses',
    '/api/campus/me\\courses',
    '/api/campus/..\\admin',
    '/api/campus/me%00courses',
    '/api/campus/me/courses%',
    '/api/campus/me/courses?a=1?b=2',
  ])('refuses %s with 400 porter/bad_path before the upstream', async (path) => {
    const before = upstreamCalls();
    const answer = await raw(origin(0), path, { headers: { cookie: cookieOf(student) } });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('porter/bad_path');
    expect(upstreamCalls()).toBe(before);
  });

  describe('writes need CSRF proof', () => {
    const register = (headers: Record<string, string>) =>
      raw(origin(0), '/api/campus/me/courses/CSC307/register', { method: 'POST', headers: { cookie: cookieOf(student), ...headers } });

    it.each([
      ['no X-CSRF header', {}],
      ['X-CSRF other than 1', { 'x-csrf': 'yes' }],
      ['a foreign Origin', { 'x-csrf': '1', origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { 'x-csrf': '1', 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'x-csrf': '1', 'sec-fetch-site': 'same-site' }],
    ])('refuses a write with %s (403), and the upstream never sees it', async (_case, headers) => {
      const before = upstreamCalls();
      const answer = await register(headers);
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('porter/csrf_required');
      expect(upstreamCalls()).toBe(before);
    });

    it('forwards a write with X-CSRF: 1, the app’s Origin and Sec-Fetch-Site: same-origin', async () => {
      const answer = await register({ 'x-csrf': '1', origin: new URL(stack.appUrl).origin, 'sec-fetch-site': 'same-origin' });
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.body) as MyCourses).courses.find((course) => course.code === 'CSC307')?.registered).toBe(true);
    });
  });
});

describe('upstream failures', () => {
  it('answers 502 porter/upstream_unavailable when the upstream refuses the connection', async () => {
    const answer = await raw(origin(0), '/api/down/anything', { headers: { cookie: cookieOf(student) } });
    expect(answer.status).toBe(502);
    expect(errorCode(answer)).toBe('porter/upstream_unavailable');
  });

  it('answers 504 porter/upstream_timeout when no headers come in time, and the upstream sees the request end', async () => {
    const aborted = campusApi.counters.aborted;
    const started = Date.now();
    const answer = await raw(origin(0), '/api/campus/slow?ms=10000', { headers: { cookie: cookieOf(student) } });
    expect(answer.status).toBe(504);
    expect(errorCode(answer)).toBe('porter/upstream_timeout');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
    await waitUntil(async () => campusApi.counters.aborted > aborted, 3000);
  });

  it('aborts the upstream request when the client goes away mid-download', async () => {
    const aborted = campusApi.counters.aborted;
    const url = new URL(origin(0));
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/campus/files/transcript.pdf?mb=50', headers: { cookie: cookieOf(student) } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end();
    });
    await waitUntil(async () => campusApi.counters.aborted > aborted, 3000);
    expect(campusApi.counters.transcriptBytesSent).toBeLessThan(50 * 1024 * 1024);
  });
});

describe('streaming', () => {
  const MIB = 1024 * 1024;

  /** A kB figure from /proc/<pid>/status (`VmRSS`, `VmHWM`: the peak since the last reset), in bytes. */
  const procStatus = (pid: number, field: 'VmRSS' | 'VmHWM') =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

  it('streams a 50 MB download and a 50 MB upload through a BFF process whose peak RSS grows by less than 30 MB', async () => {
    // The BFF as operators run it (src/main.ts, its own process), on the same store and Campus
    // One as the stack, so the student's cookie is good there too.
    const config = stack.instances[0]!.config;
    const port = await freePort();
    // V8's young generation grows to 16 MB per semi-space before it is collected, whatever the
    // body size: capped at 4 MB here, so what counts is memory the proxy holds (the README says so).
    const child = spawn(process.execPath, ['--max-semi-space-size=4', '--import', 'tsx', '--conditions=@porter/source', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        APP_URL: stack.appUrl,
        CAMPUS_ONE_ISSUER: stack.provider.issuer,
        CAMPUS_ONE_DISCOVERY_URL: stack.provider.discoveryUrl,
        CAMPUS_ONE_CLIENT_ID: CLIENT.clientId,
        CAMPUS_ONE_CLIENT_SECRET: CLIENT.clientSecret,
        SESSION_SECRET,
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: config.redis.prefix,
        PORTER_API_ROUTES: `/api/campus=${campusApi.url}`,
        LOG_LEVEL: 'silent',
        METRICS_PORT: 'off',
      },
      stdio: 'ignore',
    });
    const bff = `http://127.0.0.1:${port}`;
    const cookie = cookieOf(student);
    try {
      await waitUntil(async () => (await fetch(`${bff}/readyz`).catch(() => null))?.ok === true, 15_000);
      const pid = child.pid ?? 0;

      const growth = async (run: () => Promise<void>) => {
        const baseline = procStatus(pid, 'VmRSS');
        // Resets VmHWM to the current RSS (Linux 4.0+, proc(5)), so the peak is this transfer's.
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
        await run();
        return procStatus(pid, 'VmHWM') - baseline;
      };

      const download = async (mb: number) => {
        const response = await fetch(`${bff}/api/campus/files/transcript.pdf?mb=${mb}`, { headers: { cookie } });
        expect(response.status).toBe(200);
        let bytes = 0;
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
        expect(bytes).toBe(Number(response.headers.get('content-length')));
        expect(bytes).toBeGreaterThan(mb * MIB);
      };
      const upload = async (mb: number) => {
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const body = Readable.from(
          (function* () {
            for (let sent = 0; sent < mb * MIB; sent += chunk.length) yield chunk;
          })(),
        );
        const response = await fetch(`${bff}/api/campus/upload`, {
          method: 'POST',
          headers: { cookie, 'x-csrf': '1', 'content-type': 'application/octet-stream' },
          body: Readable.toWeb(body) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ bytes: mb * MIB });
      };
      // Warm with a whole transfer each way: what is counted is what another 50 MB costs once the
      // heap has grown to its working size, not first-use growth. Buffering would still show: it
      // grows with the body, every time.
      await download(50);
      await upload(50);
      const downloaded = await growth(() => download(50));
      const uploaded = await growth(() => upload(50));
      // For the README's figure.
      process.stdout.write(`API proxy BFF peak RSS growth: download ${(downloaded / MIB).toFixed(1)} MB, upload ${(uploaded / MIB).toFixed(1)} MB\n`);
      expect(downloaded).toBeLessThan(30 * MIB);
      expect(uploaded).toBeLessThan(30 * MIB);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 120_000);
});

describe('the access token is refreshed first when due', () => {
  const sessionKey = (browser: Browser) => `${stack.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, stack)}`;
  const moveClocks = (ms: number) => stack.instances.forEach((instance) => (instance.clock.offsetMs = ms));

  it('two instances × 20 concurrent calls for one due session: ONE refresh grant at Campus One, every call answered with the new token', async () => {
    const browser = await signedInBrowser(stack, 'student');
    const cookie = cookieOf(browser);
    const grants = stack.provider.counters.refreshGrants;
    const tokensBefore = (JSON.parse((await redis.get(sessionKey(browser))) ?? '{}') as { tokens?: string }).tokens;
    moveClocks(59.5 * MINUTE);
    try {
      const seen = plainAuthorizations.length;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => raw(origin(i % 2), `/api/plain/call-${i}`, { headers: { cookie } })),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(stack.provider.counters.refreshGrants).toBe(grants + 1);
      // One token for all 40: the new one, which the session keeps.
      const sent = new Set(plainAuthorizations.slice(seen));
      expect(sent.size).toBe(1);
      moveClocks(0);
      const echo = await raw(origin(0), '/api/echo', { headers: { cookie } });
      expect((JSON.parse(echo.body) as { headers: IncomingHttpHeaders }).headers.authorization).toBe([...sent][0]);
      expect((JSON.parse((await redis.get(sessionKey(browser))) ?? '{}') as { tokens?: string }).tokens).not.toBe(tokensBefore);
    } finally {
      moveClocks(0);
    }
  });

  it('answers 401 and ends the session when the refresh meets invalid_grant', async () => {
    const browser = await signedInBrowser(stack, 'student');
    const cookie = cookieOf(browser);
    const key = sessionKey(browser);
    const original = await redis.get(key);
    moveClocks(59.5 * MINUTE);
    try {
      expect((await raw(origin(0), '/api/campus/me/courses', { headers: { cookie } })).status).toBe(200);
      // The session as it was before that refresh: its refresh token is now a used one, and
      // Campus One revokes the grant when a used refresh token comes back.
      await redis.set(key, original ?? '', 'KEEPTTL');
      const before = upstreamCalls();
      const answer = await raw(origin(1), '/api/campus/me/courses', { headers: { cookie } });
      expect(answer.status).toBe(401);
      expect(errorCode(answer)).toBe('porter/unauthenticated');
      expect(upstreamCalls()).toBe(before);
      expect(await redis.exists(key)).toBe(0);
    } finally {
      moveClocks(0);
    }
  });
});

describe('Campus One down during a due refresh', () => {
  it('answers 503 porter/provider_unavailable and keeps the session', async () => {
    const down = await startStack({ env: { PORTER_API_ROUTES: `/api/campus=${campusApi.url}` } });
    try {
      const browser = await signedInBrowser(down, 'student');
      const cookie = browser.cookieHeader(new URL(`${down.appUrl}/api/`));
      await down.provider.close();
      down.instances[0]!.clock.offsetMs = 59.5 * MINUTE;
      const answer = await raw(down.appUrl, '/api/campus/me/courses', { headers: { cookie } });
      expect(answer.status).toBe(503);
      expect(errorCode(answer)).toBe('porter/provider_unavailable');
      expect(await redis.exists(`${down.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, down)}`)).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('answered before Express (http/api-shortcut.ts)', () => {
  // Express matches a route's prefix in any case, the shortcut only as configured: the same
  // request in upper case is Express's to answer, so the two answers can be compared.
  const viaExpress = (path: string) => path.replace('/api/', '/API/');
  /** The student's GET of `path`, answered before Express, and the same in upper case, answered by Express. */
  const both = (path: string) =>
    Promise.all([raw(origin(0), path, { headers: { cookie: cookieOf(student) } }), raw(origin(0), viaExpress(path), { headers: { cookie: cookieOf(student) } })]);
  /** The answer's fields that say who answered: everything but the date and the connection's. */
  const fields = (answer: Raw) => {
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    return Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !['date', 'connection', 'keep-alive', 'x-request-id'].includes(name)));
  };

  it('answers a GET with the status, body and header fields Express gives it', async () => {
    for (const path of ['/api/plain/anything?x=1', '/api/echo/a/b?q=1']) {
      const [shortcut, express] = await both(path);
      expect(shortcut.status).toBe(200);
      expect(express.status).toBe(200);
      expect(fields(shortcut)).toEqual(fields(express));
      expect(shortcut.headers['x-content-type-options']).toBe('nosniff');
      expect(shortcut.headers['set-cookie']).toBeUndefined();
    }
  });

  it('answers a failed upstream as Express does: 502 JSON with its code, logged at error with the request id', async () => {
    const [shortcut, express] = await both('/api/down/x');
    expect(shortcut.status).toBe(502);
    expect(shortcut.body).toBe(express.body);
    expect(errorCode(shortcut)).toBe('porter/upstream_unavailable');
    expect(fields(shortcut)).toEqual({ ...fields(express), 'content-length': shortcut.headers['content-length'] });
    const line = logged().find((l) => l.msg === 'request' && l.requestId === shortcut.headers['x-request-id']);
    expect(line).toMatchObject({ level: 50, code: 'porter/upstream_unavailable', req: { method: 'GET', path: '/api/down/x', group: 'api' }, res: { status: 502 } });
  });

  it('logs one request line at info and times the request, as for every other request', async () => {
    const metrics = await serveMetrics(stack.instances[0]!);
    try {
      const count = async () => (await metrics.scrape()).get(series('porter_http_request_duration_seconds_count', { group: 'api', status: '200' })) ?? 0;
      const before = await count();
      const answer = await raw(origin(0), '/api/plain/logged?token=x', { headers: { cookie: cookieOf(student), 'x-forwarded-for': '203.0.113.7' } });
      expect(answer.status).toBe(200);
      expect(await count()).toBe(before + 1);
      const lines = logged().filter((l) => l.requestId === answer.headers['x-request-id']);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 30, msg: 'request', req: { method: 'GET', path: '/api/plain/logged', group: 'api', ip: '203.0.113.7' }, res: { status: 200 } });
      expect(typeof lines[0]?.durationMs).toBe('number');
    } finally {
      await metrics.close();
    }
  });

  it('takes one point of the session’s API budget per call, and past it answers 429 as Express does, without a second point', async () => {
    const instance = stack.instances[0]!;
    const counter = `${instance.config.redis.prefix}rate:api:session:${sessionIdOf(student, stack)}`;
    const points = async () => Number(await redis.get(counter));
    const before = await points();
    expect((await raw(origin(0), '/api/plain/one', { headers: { cookie: cookieOf(student) } })).status).toBe(200);
    expect(await points()).toBe(before + 1);

    const limit = instance.config.rateLimits.api ?? 0;
    await redis.set(counter, String(limit), 'EX', 60);
    const calls = plainAuthorizations.length;
    const refused = await raw(origin(0), '/api/plain/two', { headers: { cookie: cookieOf(student) } });
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('porter/rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await points()).toBe(limit + 1);
    expect(plainAuthorizations.length).toBe(calls);
    await redis.del(counter);
  });

  it('lets a call through when the rate limit’s store fails (fails open), as Express does, and counts the failure once', async () => {
    const metrics = await serveMetrics(stack.instances[0]!);
    const counter = `${stack.instances[0]!.config.redis.prefix}rate:api:session:${sessionIdOf(student, stack)}`;
    try {
      // A hash where the counter should be: Redis answers the limit's script with an error.
      await redis.del(counter);
      await redis.hset(counter, 'not', 'a counter');
      const failures = async () => (await metrics.scrape()).get(series('porter_store_errors_total', { operation: 'rate_limit' })) ?? 0;
      const before = await failures();
      const answer = await raw(origin(0), '/api/plain/open', { headers: { cookie: cookieOf(student) } });
      expect(answer.status).toBe(200);
      expect(await failures()).toBe(before + 1);
      expect(logged().some((line) => line.msg === 'rate limit store unavailable: letting requests through')).toBe(true);
    } finally {
      await redis.del(counter);
      await metrics.close();
    }
  });

  // A read that fails (Redis frozen or stopped) is handed to Express too: test/faults/store-faults.test.ts.
  it('leaves to Express a cookie that names no session, and one of a signed-out session: 401 JSON, never the upstream', async () => {
    const calls = plainAuthorizations.length;
    const { cookieName } = stack.instances[0]!.config.session;
    const forged = await raw(origin(0), '/api/plain/x', { headers: { cookie: `${cookieName}=${encodeURIComponent(`s:${'x'.repeat(32)}.forged`)}` } });
    expect(forged.status).toBe(401);
    expect(errorCode(forged)).toBe('porter/unauthenticated');

    const browser = await signedInBrowser(stack, 'student');
    const cookie = cookieOf(browser);
    expect((await raw(origin(0), '/api/plain/x', { headers: { cookie } })).status).toBe(200);
    await redis.del(createKeys(stack.instances[0]!.config.redis.prefix).session(sessionIdOf(browser, stack)));
    const ended = await raw(origin(0), '/api/plain/x', { headers: { cookie } });
    expect(ended.status).toBe(401);
    expect(ended.headers.location).toBeUndefined();
    expect(errorCode(ended)).toBe('porter/unauthenticated');
    expect(plainAuthorizations.length).toBe(calls + 1);
  });
});
