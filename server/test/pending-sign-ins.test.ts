import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, chooseAccount, signIn, startStack, type Stack } from './support/stack.js';

/*
 * Issue 10, fault 1: every /auth/login set one more transaction cookie, with nothing to bound
 * them; about 33 abandoned sign-ins (5 with long return addresses) pushed the Cookie header past
 * 16 KB and the browser got 431 at the callback, for good.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const app = (path: string) => `${stack.appUrl}${path}`;
/** nginx's default buffer for a request header line. */
const NGINX_HEADER_BUFFER = 8 * 1024;

const longReturnTo = (i: number) => `/dashboard?n=${i}&q=${'x'.repeat(2000)}`;
const transactionCookies = (browser: Browser) => browser.cookieNames().filter((name) => name.includes('porter.txn.'));
const cookieBytes = (browser: Browser) => Buffer.byteLength(browser.cookieHeader(new URL(app('/auth/callback'))));

describe('sign-ins left unfinished', () => {
  it('keeps the Cookie header under 8 KB after 100 abandoned sign-ins with long return addresses, and the next sign-in works', async () => {
    const browser = new Browser();
    for (let i = 0; i < 100; i++) {
      const started = await browser.fetch(app(`/auth/login?returnTo=${encodeURIComponent(longReturnTo(i))}`));
      expect(started.status).toBe(302);
      await started.arrayBuffer();
    }
    expect(transactionCookies(browser).length).toBeLessThanOrEqual(5);
    expect(cookieBytes(browser)).toBeLessThan(NGINX_HEADER_BUFFER);

    const done = await signIn(browser, stack, 'student', { returnTo: longReturnTo(100) });

    expect(done.response.status).not.toBe(431);
    expect(done.url.href).toBe(app(longReturnTo(100)));
    const me = await browser.fetch(app('/auth/me'), { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
  });

  it('lets five tabs sign in side by side, and drops the oldest when a sixth starts', async () => {
    const browser = new Browser();
    const tabs = [];
    for (let i = 0; i < 6; i++) tabs.push(await browser.navigate(app(`/auth/login?returnTo=/tab-${i}`)));
    expect(transactionCookies(browser)).toHaveLength(5);

    for (let i = 5; i >= 1; i--) {
      const finished = await chooseAccount(browser, tabs[i]!, 'student', (url) => url.pathname.startsWith('/tab-'));
      expect(finished.url.href).toBe(app(`/tab-${i}`));
    }
    const oldest = await chooseAccount(browser, tabs[0]!, 'student', (url) => url.pathname === '/auth/callback');
    const refused = await browser.fetch(oldest.url, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('porter/invalid_state');
  });
});
