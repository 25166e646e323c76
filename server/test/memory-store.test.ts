import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, chooseAccount, signIn, startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ store: 'memory' });
});
afterAll(() => stack.close());

describe('development without Redis', () => {
  it('signs in, serves the session and signs out on the in-memory store', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(200);
    const out = await browser.fetch(`${stack.appUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(out.status).toBe(200);
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(401);
  });

  it('refuses a replayed callback on the in-memory store too', async () => {
    const browser = new Browser();
    const page = await browser.navigate(`${stack.appUrl}/auth/login`);
    const callback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
    const attacker = browser.clone();
    expect((await browser.fetch(callback.url)).status).toBe(302);
    expect((await attacker.fetch(callback.url, { headers: { accept: 'application/json' } })).status).toBe(400);
  });
});
