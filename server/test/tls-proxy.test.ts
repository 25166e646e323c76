import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, chooseAccount, startStack, subOf, type Stack } from './support/stack.js';

/*
 * Issue 10, fault 5: behind a TLS-terminating proxy that sends no X-Forwarded-Proto, the
 * callback reaches the server over plain http. APP_URL (https) is the truth: the session cookie
 * is set, Secure, and no session is written that no cookie names.
 */

const PUBLIC_URL = 'https://campus.example';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ publicUrl: PUBLIC_URL });
});
afterAll(() => stack.close());

/** The server as the proxy reaches it: plain http, no X-Forwarded-* header. */
const server = (path: string) => `${stack.instances[0]?.origin}${path}`;

describe('an https APP_URL behind a proxy that does not say so', () => {
  it('sets the Secure __Host- session cookie on a plain-http callback, and the session it names is the only one written', async () => {
    const browser = new Browser();
    const page = await browser.navigate(server('/auth/login?returnTo=/dashboard'));
    const atCallback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
    expect(atCallback.url.origin).toBe(PUBLIC_URL);

    const callback = new URL(`${atCallback.url.pathname}${atCallback.url.search}`, server('/'));
    const response = await browser.fetch(callback);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/dashboard');
    const sessionCookie = response.headers.getSetCookie().find((line) => line.startsWith('__Host-porter.sid='));
    expect(sessionCookie).toMatch(/; Secure/);
    expect(sessionCookie).toMatch(/; Path=\//);
    const me = await browser.fetch(server('/auth/me'), { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);

    const instance = stack.instances[0]!;
    const indexed = await instance.kv.zRangeFrom(`${instance.config.redis.prefix}user-sessions:${subOf(stack, 'student')}`, 0);
    const cookieId = /^s:([^.]+)\./.exec(decodeURIComponent(browser.cookie('__Host-porter.sid') ?? ''))?.[1];
    expect(indexed).toEqual([cookieId]);
  });
});
