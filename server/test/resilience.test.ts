import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampusOne } from '../dev/campus-one.js';
import type { RedisKv } from '../src/store/redis-kv.js';
import { Browser, CLIENT, signIn, startStack, type Stack } from './support/stack.js';
import { errorCode } from './support/errors.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());


describe('Campus One unavailable', () => {
  it('answers 503 JSON while the provider is down, and recovers by itself when it returns', async () => {
    const down = await startStack();
    const port = Number(new URL(down.provider.issuer).port);
    await down.provider.close();
    const browser = new Browser();
    const login = await browser.fetch(`${down.appUrl}/auth/login`, { headers: { accept: 'application/json' } });
    expect(login.status).toBe(503);
    expect(await errorCode(login)).toBe('porter/provider_unavailable');
    const ready = await browser.fetch(`${down.appUrl}/readyz`);
    expect(ready.status).toBe(503);

    const back = await startCampusOne({
      port,
      clients: [{ ...CLIENT, redirectUris: [`${down.appUrl}/auth/callback`], postLogoutRedirectUris: [`${down.appUrl}/`] }],
    });
    try {
      // Past the retry window the next request discovers again.
      down.instances[0]!.clock.offsetMs = 5_000;
      const retry = await browser.fetch(`${down.appUrl}/auth/login`);
      expect(retry.status).toBe(302);
      expect(retry.headers.get('location')).toContain(`${back.issuer}/api/auth/`);
    } finally {
      await back.close();
      await down.close();
    }
  });

  it('sends a silent attempt back to its page, marked anonymous, while Campus One is down', async () => {
    const down = await startStack();
    await down.provider.close();
    try {
      const browser = new Browser();
      const response = await browser.fetch(`${down.appUrl}/auth/login?prompt=none&returnTo=/news`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/news');
      expect(browser.cookie('c1_anon')).toBe('1');
    } finally {
      await down.close();
    }
  });

  it('refuses a discovery document that names another issuer', async () => {
    const wrong = await startStack({ env: { CAMPUS_ONE_ISSUER: 'http://localhost:1' } });
    try {
      const response = await new Browser().fetch(`${wrong.appUrl}/auth/login`, { headers: { accept: 'application/json' } });
      expect(response.status).toBe(503);
      expect(await errorCode(response)).toBe('porter/provider_unavailable');
    } finally {
      await wrong.close();
    }
  });

  it('shows a browser a page, not a stack trace, when sign-in is unavailable', async () => {
    const down = await startStack();
    await down.provider.close();
    try {
      const response = await new Browser().fetch(`${down.appUrl}/auth/login`);
      expect(response.status).toBe(503);
      const html = await response.text();
      expect(html).toContain('porter/provider_unavailable');
      expect(html).not.toMatch(/at \w+ \(|node_modules/);
    } finally {
      await down.close();
    }
  });
});

describe('Redis unavailable', () => {
  it('answers 503 with a code, and serves the session again once Redis is back', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const instance = stack.instances[0]!;
    const kv = instance.kv as RedisKv;
    kv.client.disconnect(true);
    const response = await browser.fetch(`${stack.appUrl}/auth/me`);
    expect(response.status).toBe(503);
    expect(await errorCode(response)).toBe('porter/store_unavailable');
    await new Promise((resolve) => kv.client.once('ready', resolve));
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(200);
  });
});

describe('bad input', () => {
  it('answers unknown routes with 404 JSON', async () => {
    const response = await new Browser().fetch(`${stack.appUrl}/nowhere`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('porter/not_found');
  });

  it('treats a forged session cookie as no session, without a Redis read', async () => {
    const browser = new Browser();
    browser.setCookie('porter.sid', encodeURIComponent('s:forged.signature'));
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(401);
  });
});
