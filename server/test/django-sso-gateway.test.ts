// The local django-sso gateway stand-in, over real HTTP, with tiny real services receiving its
// events: the protocol Porter's django-sso provider is tested against must itself be right.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { SEEDED_SSO_USERS, startDjangoSsoGateway, type DjangoSsoGateway } from '../dev/django-sso-gateway.js';
import type { SsoEvent } from '../dev/django-sso-events.js';
import { Browser } from './support/browser.js';
import { waitUntil } from './support/env.js';

const TOKEN_A = 'service-a-token-0123456789';
const TOKEN_B = 'service-b-token-0123456789';
const TOKEN_SILENT = 'service-silent-token-0123456789';

/** A service's `/sso/event/`: records each event as it arrives, in one timeline shared with the test. */
interface FakeService {
  baseUrl: string;
  events: SsoEvent[];
  server: Server;
}

const timeline: string[] = [];

async function startService(name: string, answer: 'ok' | 'never'): Promise<FakeService> {
  const events: SsoEvent[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const event = JSON.parse(body) as SsoEvent;
    events.push(event);
    timeline.push(`${name} got ${event.type}`);
    if (req.url !== '/sso/event/') res.writeHead(404).end();
    else if (answer === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, server };
}

async function stopService(service: FakeService): Promise<void> {
  service.server.closeAllConnections();
  await new Promise((resolve) => service.server.close(resolve));
}

/** A service's call to the gateway: POST, form-urlencoded, JSON back. */
async function call(gateway: DjangoSsoGateway, path: string, fields: Record<string, string>) {
  const response = await fetch(`${gateway.url}/${path}`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function obtain(gateway: DjangoSsoGateway, token = TOKEN_A, nextUrl = '/dashboard'): Promise<string> {
  const { body } = await call(gateway, 'sso/obtain/', { token, next_url: nextUrl });
  expect(body.token).toEqual(expect.any(String));
  return String(body.token);
}

/** Picks an account on the sign-in page; answers the gateway's redirect, not followed. */
async function pickAccount(browser: Browser, gateway: DjangoSsoGateway, authenticationToken: string, identy: string) {
  const page = await browser.fetch(gateway.loginUrl(authenticationToken));
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(`value="${identy}"`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '';
  return browser.fetch(new URL(action, gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: identy }),
  });
}

const student = SEEDED_SSO_USERS.find((user) => user.id === 'student')!;
const admin = SEEDED_SSO_USERS.find((user) => user.id === 'admin')!;

describe('django-sso gateway stand-in', () => {
  let a: FakeService;
  let b: FakeService;
  let gateway: DjangoSsoGateway;

  beforeAll(async () => {
    [a, b] = await Promise.all([startService('A', 'ok'), startService('B', 'ok')]);
    gateway = await startDjangoSsoGateway({
      services: [
        { token: TOKEN_A, baseUrl: a.baseUrl, name: 'Service A' },
        { token: TOKEN_B, baseUrl: `${b.baseUrl}/` },
      ],
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([stopService(a), stopService(b)]);
  });
  beforeEach(() => {
    timeline.length = 0;
    a.events.length = 0;
    b.events.length = 0;
    gateway.legacyMakeUsed = false;
  });

  it('signs in: obtain, the sign-in page, update_account before the redirect to /sso/accept/, get, make_used, then get is refused', async () => {
    const authenticationToken = await obtain(gateway);
    expect(authenticationToken).toMatch(/^[A-Za-z0-9]{128}$/);
    // Not yet signed in: nothing to read.
    expect(await call(gateway, 'sso/get/', { token: TOKEN_A, authentication_token: authenticationToken })).toEqual({
      status: 200,
      body: { error: expect.any(String) },
    });

    const browser = new Browser();
    const redirect = await pickAccount(browser, gateway, authenticationToken, student.identy);
    timeline.push('browser redirected');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${a.baseUrl}/sso/accept/`);
    expect(timeline.indexOf('A got update_account')).toBeGreaterThanOrEqual(0);
    expect(timeline.indexOf('A got update_account')).toBeLessThan(timeline.indexOf('browser redirected'));
    expect(a.events.at(-1)).toEqual({
      type: 'update_account',
      token: TOKEN_A,
      fields: {
        user_identy: student.identy,
        is_active: true,
        is_staff: false,
        is_superuser: false,
        name: student.name,
        email: student.email,
      },
    });
    // Every enabled service hears of the sign-in, with its own token.
    expect(b.events).toContainEqual(expect.objectContaining({ type: 'update_account', token: TOKEN_B }));

    const get = { token: TOKEN_A, authentication_token: authenticationToken };
    expect(await call(gateway, 'sso/get/', get)).toEqual({
      status: 200,
      body: { authenticated: true, user_identy: student.identy, next_url: '/dashboard' },
    });
    // Another service cannot read this service's request.
    expect((await call(gateway, 'sso/get/', { ...get, token: TOKEN_B })).body).toEqual({ error: expect.any(String) });
    expect(await call(gateway, 'sso/make_used/', get)).toEqual({ status: 200, body: { ok: true } });
    expect(await call(gateway, 'sso/get/', get)).toEqual({ status: 200, body: { error: expect.any(String) } });
    expect(await call(gateway, 'sso/make_used/', get)).toEqual({ status: 404, body: { error: expect.any(String) } });

    // The same request again: its token is used, so the browser goes back with the error flag.
    const again = await browser.fetch(gateway.loginUrl(authenticationToken));
    expect(again.headers.get('location')).toBe(`${a.baseUrl}/?sso_broken_token=true`);
  });

  it('with legacyMakeUsed, make_used answers ok but the request stays readable', async () => {
    gateway.legacyMakeUsed = true;
    const authenticationToken = await obtain(gateway);
    await pickAccount(new Browser(), gateway, authenticationToken, admin.identy);
    const get = { token: TOKEN_A, authentication_token: authenticationToken };
    expect((await call(gateway, 'sso/make_used/', get)).body).toEqual({ ok: true });
    expect((await call(gateway, 'sso/get/', get)).body).toEqual({ authenticated: true, user_identy: admin.identy, next_url: '/dashboard' });
    expect((await call(gateway, 'sso/make_used/', get)).body).toEqual({ ok: true });
  });

  it('answers a bad or missing service token with HTTP 200 and {"error"}', async () => {
    for (const path of ['sso/obtain/', 'sso/get/', 'sso/make_used/', 'sso/deauthenticate/']) {
      for (const token of ['not-a-service-token', '']) {
        const answer = await call(gateway, path, { token, next_url: '/', authentication_token: 'x', user_identy: student.identy });
        expect(answer, `${path} with token "${token}"`).toEqual({ status: 200, body: { error: expect.any(String) } });
      }
    }
    expect((await call(gateway, 'sso/obtain/', { token: TOKEN_A })).body).toEqual({ error: expect.any(String) });
    expect(a.events).toEqual([]);
  });

  it('reads multipart bodies as Django does, and answers 405 to other methods', async () => {
    const form = new FormData();
    form.append('token', TOKEN_A);
    form.append('next_url', '/');
    const response = await fetch(`${gateway.url}/sso/obtain/`, { method: 'POST', body: form });
    expect(await response.json()).toEqual({ token: expect.any(String) });
    expect((await fetch(`${gateway.url}/sso/obtain/`)).status).toBe(405);
  });

  it('skips the page for a browser already signed in at the gateway (single sign-on), still sending update_account first', async () => {
    const browser = new Browser();
    await pickAccount(browser, gateway, await obtain(gateway), student.identy);
    timeline.length = 0;
    const redirect = await browser.fetch(gateway.loginUrl(await obtain(gateway, TOKEN_B, '/b')));
    timeline.push('browser redirected');
    expect(redirect.headers.get('location')).toBe(`${b.baseUrl}/sso/accept/`);
    expect(timeline).toEqual(['B got update_account', 'browser redirected']);
  });

  it('leaves a browser with an unknown request token on the gateway, which names no service', async () => {
    const browser = new Browser();
    const redirect = await pickAccount(browser, gateway, 'unknown-token', student.identy);
    expect(redirect.headers.get('location')).toBe(`${gateway.url}/__welcome/`);
  });

  it('sso/deauthenticate/ ends the gateway sessions of the user and tells every other service', async () => {
    const browser = new Browser();
    await pickAccount(browser, gateway, await obtain(gateway), admin.identy);
    expect(gateway.sessionCount(admin.identy)).toBeGreaterThan(0);
    a.events.length = 0;
    b.events.length = 0;

    expect(await call(gateway, 'sso/deauthenticate/', { token: TOKEN_A, user_identy: admin.identy })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(b.events).toEqual([{ type: 'deauthenticate', token: TOKEN_B, user_identy: admin.identy }]);
    expect(a.events).toEqual([]);
    expect(gateway.sessionCount(admin.identy)).toBe(0);
    // Signed out at the gateway: the next sign-in shows the page again.
    expect((await browser.fetch(gateway.loginUrl(await obtain(gateway)))).status).toBe(200);
  });

  it('sends change_user_identy before update_account on a rename, and delete_user on deletion', async () => {
    const renamed = `${student.identy}.renamed`;
    await gateway.saveUser('student', { identy: renamed, isStaff: true });
    expect(a.events).toEqual([
      { type: 'change_user_identy', token: TOKEN_A, old: student.identy, new: renamed },
      { type: 'update_account', token: TOKEN_A, fields: expect.objectContaining({ user_identy: renamed, is_staff: true }) },
    ]);
    await gateway.updateFields([renamed], { 'category.name': 'Physics' });
    expect(a.events.at(-1)).toEqual({ type: 'update_fields', token: TOKEN_A, fields: { 'category.name': 'Physics' }, user_identities: [renamed] });
    await gateway.deleteUser(renamed);
    expect(a.events.at(-1)).toEqual({ type: 'delete_user', token: TOKEN_A, user_identy: renamed });
    expect(gateway.users.some((user) => user.id === 'student')).toBe(false);
  });
});

describe('django-sso gateway stand-in with a service that does not answer', () => {
  let silent: FakeService;
  let gateway: DjangoSsoGateway;

  beforeAll(async () => {
    silent = await startService('silent', 'never');
    gateway = await startDjangoSsoGateway({ services: [{ token: TOKEN_SILENT, baseUrl: silent.baseUrl }], log: () => {} });
  });
  afterAll(async () => {
    await gateway.close();
    await stopService(silent);
  });

  it('gives up on an event after 0.1 s, sends it once, and still completes the sign-in', async () => {
    const started = Date.now();
    const redirect = await pickAccount(new Browser(), gateway, await obtain(gateway, TOKEN_SILENT), student.identy);
    expect(redirect.headers.get('location')).toBe(`${silent.baseUrl}/sso/accept/`);
    // Two events (the sign-in's and the request's), each abandoned at 0.1 s: well under 2 s.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(gateway.deliveries.map((delivery) => [delivery.accepted, delivery.detail])).toEqual([
      [false, 'no answer within 100 ms'],
      [false, 'no answer within 100 ms'],
    ]);
    await waitUntil(async () => silent.events.length >= 2);
    expect(silent.events.map((event) => event.type)).toEqual(['update_account', 'update_account']);
  });
});
