import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, webhookEvent } from '../dev/webhooks.js';
import { freePort, startRedis } from '../../scripts/redis.mjs';
import type { RedisKv } from '../src/store/redis-kv.js';
import { errorCode } from './support/errors.js';
import { Browser, chooseAccount, signedInBrowser, startStack, type Stack } from './support/stack.js';

const SECRET = 'rate-limit-webhook-secret';
const LIMIT = 3;
/** Each sign-in in these tests costs the loopback address two attempts: room for a few. */
const SIGN_IN_LIMIT = 10;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    instances: 2,
    env: {
      CAMPUS_ONE_WEBHOOK_SECRET: SECRET,
      RATE_LIMIT_SIGN_IN: String(SIGN_IN_LIMIT),
      RATE_LIMIT_WEBHOOKS: String(LIMIT),
      RATE_LIMIT_BACKCHANNEL_LOGOUT: String(LIMIT),
      RATE_LIMIT_ADMIN: String(LIMIT),
      RATE_LIMIT_API: String(LIMIT),
    },
  });
});
afterAll(() => stack.close());

const [A, B] = [0, 1];
const origin = (instance: number) => stack.instances[instance]!.origin;
/** The loopback hop is a trusted proxy (TRUST_PROXY's default), so X-Forwarded-For names the client. */
const from = (address: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': address, accept: 'application/json', ...headers });
const login = (instance: number, address: string, headers: Record<string, string> = {}) =>
  fetch(`${origin(instance)}/auth/login`, { headers: from(address, headers), redirect: 'manual' });

describe('rate limits', () => {
  it('refuses sign-ins from one address past the limit, counted across instances, and leaves other addresses alone', async () => {
    const statuses = [];
    for (let i = 0; i < SIGN_IN_LIMIT; i++) statuses.push((await login(i % 2 === 0 ? A : B, '203.0.113.10')).status);
    expect(statuses).toEqual(Array(SIGN_IN_LIMIT).fill(302));
    for (const instance of [A, B]) {
      const refused = await login(instance, '203.0.113.10');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await errorCode(refused)).toBe('porter/rate_limited');
    }
    expect((await login(B, '203.0.113.11')).status).toBe(302);
  });

  it('shows a browser that hit the limit a page saying when to retry', async () => {
    for (let i = 0; i < SIGN_IN_LIMIT; i++) await login(A, '203.0.113.20');
    const page = await login(A, '203.0.113.20', { accept: 'text/html' });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('porter/rate_limited');
    expect(html).toMatch(new RegExp(`try again in ${page.headers.get('retry-after')} seconds`));
  });

  it('sends a refused silent attempt back to its page, marked anonymous, as any failed silent attempt', async () => {
    for (let i = 0; i < SIGN_IN_LIMIT; i++) await login(A, '203.0.113.30');
    const browser = new Browser();
    const response = await browser.fetch(`${origin(A)}/auth/login?prompt=none&returnTo=/news`, { headers: { 'x-forwarded-for': '203.0.113.30' } });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/news');
    expect(browser.cookie('c1_anon')).toBe('1');
  });

  it('sends a silent attempt whose return the limit refuses back to its page, marked anonymous, as at /auth/login', async () => {
    const app = (path: string) => `${origin(A)}${path}`;
    const atCallback = (browser: Browser, address: string) =>
      browser.navigate(app('/auth/login?prompt=none&returnTo=/news'), { init: { headers: { 'x-forwarded-for': address } }, stop: (url) => url.pathname === '/auth/callback' });
    // Campus One has no session for this browser: it answers login_required.
    const anonymous = new Browser();
    const noSession = await atCallback(anonymous, '203.0.113.60');
    expect(noSession.url.searchParams.get('error')).toBe('login_required');
    // Campus One has a session for this one: it answers with a code.
    const known = await signedInBrowser(stack, 'student');
    await known.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
    const withCode = await atCallback(known, '203.0.113.61');
    expect(withCode.url.searchParams.get('code')).toBeTruthy();
    for (const [browser, navigation, address] of [
      [anonymous, noSession, '203.0.113.60'],
      [known, withCode, '203.0.113.61'],
    ] as const) {
      for (let i = 1; i < SIGN_IN_LIMIT; i++) await login(A, address);
      const refused = await browser.fetch(navigation.url, { headers: { 'x-forwarded-for': address } });
      expect(refused.status).toBe(302);
      expect(refused.headers.get('location')).toBe('/news');
      expect(browser.cookie('c1_anon')).toBe('1');
      expect((await browser.fetch(app('/auth/me'))).status).toBe(401);
    }
  });

  it('leaves a refused return usable: the browser finishes its sign-in by coming again once the window has passed', async () => {
    const address = '203.0.113.70';
    const browser = new Browser();
    const page = await browser.navigate(`${origin(A)}/auth/login?returnTo=/reports`, { init: { headers: { 'x-forwarded-for': address } } });
    const atCallback = await chooseAccount(browser, page, 'staff', (url) => url.pathname === '/auth/callback');
    for (let i = 1; i < SIGN_IN_LIMIT; i++) await login(A, address);
    const refused = await browser.fetch(atCallback.url, { headers: { 'x-forwarded-for': address, accept: 'application/json' } });
    expect(refused.status).toBe(429);
    expect(await errorCode(refused)).toBe('porter/rate_limited');
    // The window ends: its counter in Redis is gone, as when its minute runs out.
    const redis = (stack.instances[0]!.kv as RedisKv).client;
    await redis.del(`${stack.instances[0]!.config.redis.prefix}rate:signIn:ip:${address}`);
    const retried = await browser.fetch(atCallback.url, { headers: { 'x-forwarded-for': address } });
    expect(retried.status).toBe(302);
    expect(retried.headers.get('location')).toBe('/reports');
    expect((await browser.fetch(`${origin(A)}/auth/me`, { headers: { accept: 'application/json' } })).status).toBe(200);
  });

  it('counts anonymous callbacks as sign-in attempts', async () => {
    const callback = () => fetch(`${origin(A)}/auth/callback?state=forged&code=x`, { headers: from('203.0.113.40') });
    for (let i = 0; i < SIGN_IN_LIMIT; i++) expect((await callback()).status).toBe(400);
    expect((await callback()).status).toBe(429);
  });

  it('limits webhooks, back-channel logouts and the admin API per address', async () => {
    const hook = () =>
      fetch(`${origin(A)}/webhooks/campus-one`, { method: 'POST', headers: from('203.0.113.50'), body: JSON.stringify(webhookEvent('user.created', { user_id: 'x' })) });
    const logout = () =>
      fetch(`${origin(B)}/auth/backchannel-logout`, { method: 'POST', headers: from('203.0.113.50'), body: new URLSearchParams({ logout_token: 'x' }) });
    const admin = () => fetch(`${origin(A)}/api/admin/reports`, { headers: from('203.0.113.50') });
    for (const [send, answer] of [
      [hook, 401],
      [logout, 400],
      [admin, 401],
    ] as const) {
      for (let i = 0; i < LIMIT; i++) expect((await send()).status).toBe(answer);
      expect((await send()).status).toBe(429);
    }
    expect((await deliverWebhook(`${origin(A)}/webhooks/campus-one`, SECRET, webhookEvent('user.created', { user_id: 'x' }))).status).toBe(200);
  });

  it('limits /api per session, not per address', async () => {
    const first = await signedInBrowser(stack, 'student');
    const second = await signedInBrowser(stack, 'staff');
    for (const browser of [first, second]) expect((await browser.fetch(`${origin(A)}/auth/me`)).status).toBe(200);
    const api = (browser: Browser) => browser.fetch(`${origin(A)}/api/courses`, { headers: from('203.0.113.60') });
    for (let i = 0; i < LIMIT; i++) expect((await api(first)).status).toBe(404);
    expect((await api(first)).status).toBe(429);
    expect((await api(second)).status).toBe(404);
  });

  it('never limits /auth/me', async () => {
    const browser = await signedInBrowser(stack, 'student');
    for (let i = 0; i < LIMIT * 3; i++) {
      expect((await browser.fetch(`${origin(A)}/auth/me`, { headers: from('203.0.113.70') })).status).toBe(200);
      expect((await fetch(`${origin(B)}/auth/me`, { headers: from('203.0.113.70') })).status).toBe(401);
    }
  });
});

describe('rate limits with Redis down', () => {
  it('let requests through (fail open): sign-in starts, and the callback answers its own 503', async () => {
    const redis = await startRedis(await freePort());
    const down = await startStack({ redisUrl: redis.url, env: { RATE_LIMIT_SIGN_IN: '2' } });
    try {
      const browser = new Browser();
      const atCampusOne = await browser.navigate(`${down.appUrl}/auth/login`);
      expect((await fetch(`${down.appUrl}/auth/login`, { redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`${down.appUrl}/auth/login`, { redirect: 'manual' })).status).toBe(429);
      const toCallback = await chooseAccount(browser, atCampusOne, 'student', (url) => url.pathname === '/auth/callback');
      await redis.stop();

      const started = Date.now();
      expect((await fetch(`${down.appUrl}/auth/login`, { redirect: 'manual' })).status).toBe(302);
      const callback = await browser.fetch(toCallback.url, { headers: { accept: 'application/json' } });
      expect(callback.status).toBe(503);
      expect(await errorCode(callback)).toBe('porter/store_unavailable');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await down.close();
      await redis.stop();
    }
  });
});
