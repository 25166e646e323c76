// Porter with a django-sso gateway as its identity provider: sign-in, events and sign-out,
// against the local gateway stand-in over real HTTP and real Redis, two instances.
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEEDED_SSO_USERS, accountFields, startDjangoSsoGateway, type DjangoSsoGateway } from '../dev/django-sso-gateway.js';
import { ANON_MARKER_COOKIE } from '@porter/shared';
import type { RedisKv } from '../src/store/redis-kv.js';
import { Browser, startStack, type Stack } from './support/stack.js';

const TOKEN = 'test-sso-service-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const identyOf = (id: string) => SEEDED_SSO_USERS.find((user) => user.id === id)!.identy;

let stack: Stack;
let gateway: DjangoSsoGateway;
let gatewayPort: number;
/** A campus API behind the API proxy (`/api/campus`), keeping the headers of every request it got. */
let upstream: Server;
const upstreamSaw: IncomingHttpHeaders[] = [];

async function startGateway(): Promise<DjangoSsoGateway> {
  return startDjangoSsoGateway({ port: gatewayPort, services: [{ token: TOKEN, baseUrl: stack.appUrl }], eventTimeoutMs: 1000, log: () => {} });
}

beforeAll(async () => {
  gatewayPort = await freePort();
  // Nothing listens here: a django-sso campus has no Campus One, and nothing may need one.
  const noCampusOne = `http://127.0.0.1:${await freePort()}`;
  upstream = createHttpServer((req, res) => {
    upstreamSaw.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end('{"courses":[]}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  stack = await startStack({
    instances: 2,
    env: {
      PORTER_IDENTITY_PROVIDER: 'django-sso',
      CAMPUS_ONE_ISSUER: noCampusOne,
      CAMPUS_ONE_DISCOVERY_URL: `${noCampusOne}/.well-known/openid-configuration`,
      DJANGO_SSO_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      DJANGO_SSO_SERVICE_TOKEN: TOKEN,
      DJANGO_SSO_TIMEOUT_MS: '1000',
      PORTER_API_ROUTES: `/api/campus=http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    },
  });
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway.close().catch(() => {});
  await stack.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  gateway.legacyMakeUsed = false;
});

/** Starts a sign-in at Porter and follows it to the gateway's page; answers the gateway's login URL. */
async function startSignIn(browser: Browser, returnTo = '/dashboard'): Promise<URL> {
  const login = await browser.fetch(`${stack.appUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(login.status).toBe(302);
  const location = new URL(login.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(`${gateway.url}/login/`);
  return location;
}

/** Picks `identy` on the gateway's sign-in page; answers where the gateway sends the browser. */
async function pick(browser: Browser, loginUrl: URL, identy: string): Promise<string> {
  const page = await browser.fetch(loginUrl);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '';
  const answer = await browser.fetch(new URL(action, gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: identy }),
  });
  expect(answer.status).toBe(302);
  return answer.headers.get('location')!;
}

async function signIn(id: string, returnTo = '/dashboard'): Promise<Browser> {
  const browser = new Browser();
  const accept = await pick(browser, await startSignIn(browser, returnTo), identyOf(id));
  expect(accept).toBe(`${stack.appUrl}/sso/accept/`);
  const back = await browser.fetch(accept);
  expect(back.status).toBe(302);
  expect(back.headers.get('location')).toBe(returnTo);
  return browser;
}

async function me(browser: Browser, origin = stack.appUrl) {
  const response = await browser.fetch(`${origin}/auth/me`, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as { user?: { sub: string; role: string; name: string } };
  return { signedIn: response.status === 200, body };
}

async function event(body: Record<string, unknown>, origin = stack.appUrl) {
  const response = await fetch(`${origin}/sso/event/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('django-sso as the identity provider', () => {
  it('signs in through the gateway with the role from is_staff / is_superuser, the session seen by every instance', async () => {
    const roles: Record<string, string> = {};
    for (const id of ['student', 'staff', 'admin']) {
      const browser = await signIn(id, `/courses?from=${id}`);
      const answer = await me(browser, stack.instances[1]!.origin);
      expect(answer.body.user?.sub).toBe(identyOf(id));
      roles[id] = answer.body.user!.role;
    }
    expect(roles).toEqual({ student: 'student', staff: 'staff', admin: 'admin' });
  });

  it('never bounces a silent attempt to the gateway: prompt=none comes back anonymous', async () => {
    const browser = new Browser();
    const answer = await browser.fetch(`${stack.appUrl}/auth/login?prompt=none&returnTo=%2Fnews`);
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/news');
    expect(browser.cookie(ANON_MARKER_COOKIE)).toBe('1');
  });

  it('tells the web app in its anonymous /auth/me answer that there is no silent sign-in, with or without an ended session', async () => {
    const anonymous = await me(new Browser());
    expect(anonymous.signedIn).toBe(false);
    expect(anonymous.body).toMatchObject({ error: { code: 'porter/unauthenticated' }, signIn: { silent: false } });
    const browser = await signIn('student');
    const out = await browser.fetch(`${stack.appUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(out.status).toBe(200);
    expect((await me(browser)).body).toMatchObject({ signIn: { silent: false } });
  });

  it('never sends an empty bearer upstream: the API proxy and the academic API answer 403 porter/no_access_token', async () => {
    const browser = await signIn('student');
    const seenBefore = upstreamSaw.length;
    for (const path of ['/api/campus/me/courses', '/api/academic/directory']) {
      const answer = await browser.fetch(`${stack.appUrl}${path}`, { headers: { accept: 'application/json' } });
      expect(answer.status).toBe(403);
      expect(await answer.json()).toMatchObject({ error: { code: 'porter/no_access_token' } });
    }
    expect(upstreamSaw.length).toBe(seenBefore);
    // The upstream itself works: an anonymous call is refused before it, a signed-in one never reaches it.
    expect((await fetch(`${stack.appUrl}/api/campus/me/courses`)).status).toBe(401);
  });

  it('update_account changes the role in a live session at once, also on another instance', async () => {
    const browser = await signIn('student');
    await gateway.saveUser('student', { isStaff: true });
    expect((await me(browser, stack.instances[1]!.origin)).body.user?.role).toBe('staff');
    await gateway.saveUser('student', { isStaff: false });
    expect((await me(browser)).body.user?.role).toBe('student');
  });

  it('applies an event whose sender stopped waiting once it was sent: a late answer loses nothing', async () => {
    const browser = await signIn('student');
    const student = SEEDED_SSO_USERS.find((user) => user.id === 'student')!;
    const body = JSON.stringify({ type: 'update_account', token: TOKEN, fields: { ...accountFields(student), is_staff: true } });
    const { hostname, port } = new URL(stack.appUrl);
    // The whole request, then the connection closed at once: a gateway past its 0.1 s.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.end(`POST /sso/event/ HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        socket.destroySoon();
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    try {
      await expect.poll(async () => (await me(browser)).body.user?.role, { timeout: 5_000 }).toBe('staff');
    } finally {
      await gateway.saveUser('student', { isStaff: false });
    }
  });

  it('deauthenticate and delete_user end every session of the user', async () => {
    const one = await signIn('staff');
    const two = await signIn('staff');
    await gateway.signOut('staff');
    expect((await me(one)).signedIn).toBe(false);
    expect((await me(two, stack.instances[1]!.origin)).signedIn).toBe(false);
    const three = await signIn('staff');
    expect((await me(three)).signedIn).toBe(true);
    expect(await event({ type: 'delete_user', token: TOKEN, user_identy: identyOf('staff') })).toEqual({ status: 200, body: { ok: true } });
    expect((await me(three)).signedIn).toBe(false);
  });

  it('change_user_identy keeps the session working under the new identity, and later events reach it', async () => {
    const browser = await signIn('admin');
    const renamed = `${identyOf('admin')}.renamed`;
    expect((await event({ type: 'change_user_identy', token: TOKEN, old: identyOf('admin'), new: renamed })).status).toBe(200);
    expect((await me(browser)).body.user?.sub).toBe(renamed);
    expect((await event({ type: 'deauthenticate', token: TOKEN, user_identy: renamed })).status).toBe(200);
    expect((await me(browser)).signedIn).toBe(false);
  });

  it('refuses a replayed authentication token even when the gateway would honour it again', async () => {
    gateway.legacyMakeUsed = true;
    const browser = new Browser();
    const accept = await pick(browser, await startSignIn(browser), identyOf('student'));
    const transaction = browser.clone();
    expect((await browser.fetch(accept)).status).toBe(302);
    const replay = await transaction.fetch(accept);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('porter/invalid_state');
    expect((await me(transaction)).signedIn).toBe(false);
  });

  it('leaves a return the sign-in rate limit refused usable: the browser finishes it by coming again once the window has passed', async () => {
    const address = '203.0.113.80';
    const { config, kv } = stack.instances[0]!;
    const counter = `${config.redis.prefix}rate:signIn:ip:${address}`;
    const redis = (kv as RedisKv).client;
    const browser = new Browser();
    const accept = await pick(browser, await startSignIn(browser), identyOf('student'));
    // This address has used its whole budget for the minute.
    await redis.set(counter, String(config.rateLimits.signIn), 'PX', 60_000);
    const refused = await browser.fetch(accept, { headers: { 'x-forwarded-for': address, accept: 'application/json' } });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('porter/rate_limited');
    // The window ends: its counter is gone, as when its minute runs out.
    await redis.del(counter);
    const back = await browser.fetch(accept, { headers: { 'x-forwarded-for': address } });
    expect(back.status).toBe(302);
    expect((await me(browser)).signedIn).toBe(true);
  });

  it('treats an error the gateway answers with HTTP 200 as an error: a sign-in never authenticated is refused', async () => {
    const browser = new Browser();
    await startSignIn(browser);
    const accept = await browser.fetch(`${stack.appUrl}/sso/accept/`, { headers: { accept: 'application/json' } });
    expect(accept.status).toBeGreaterThanOrEqual(400);
    expect(accept.status).toBeLessThan(600);
    expect(((await accept.json()) as { error: { code: string } }).error.code).toBe('porter/provider_error');
    expect((await me(browser)).signedIn).toBe(false);
  });

  it('applies nothing for a wrong service token, and answers bad events with 400 and unknown ones with 200', async () => {
    const browser = await signIn('student');
    const wrong = await event({ type: 'deauthenticate', token: 'not-the-token-0123456789', user_identy: identyOf('student') });
    expect(wrong.status).toBe(401);
    expect((await me(browser)).signedIn).toBe(true);
    const notJson = await fetch(`${stack.appUrl}/sso/event/`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect((await event({ type: 'deauthenticate', token: TOKEN })).body).toMatchObject({ error: { code: 'porter/bad_request' } });
    expect(await event({ type: 'something_new', token: TOKEN })).toEqual({ status: 200, body: { ok: true } });
  });

  it('is ready on /readyz with the gateway up and no Campus One, and not ready while the gateway is down', async () => {
    const up = await fetch(`${stack.appUrl}/readyz`);
    expect({ status: up.status, body: await up.json() }).toEqual({ status: 200, body: { ok: true, store: 'up', provider: 'up' } });
    await gateway.close();
    try {
      const down = await fetch(`${stack.appUrl}/readyz`);
      expect({ status: down.status, body: await down.json() }).toEqual({ status: 503, body: { ok: false, store: 'up', provider: 'down' } });
    } finally {
      gateway = await startGateway();
    }
  });

  it('signs out locally and at the gateway, and still signs out when the gateway is down', async () => {
    const browser = await signIn('student');
    const before = gateway.sessionCount('student');
    expect(before).toBeGreaterThan(0);
    const out = await browser.fetch(`${stack.appUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(out.status).toBe(200);
    expect(gateway.sessionCount('student')).toBe(0);
    expect((await me(browser)).signedIn).toBe(false);

    const again = await signIn('student');
    await gateway.close();
    try {
      const down = await again.fetch(`${stack.appUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
      expect(down.status).toBe(200);
      expect((await me(again)).signedIn).toBe(false);
    } finally {
      gateway = await startGateway();
    }
  });
});
