import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signIn, startStack, type Stack } from './support/stack.js';

/*
 * Issue 10, fault 2: a browser may send several cookies with the session's name (a stale one on
 * a longer path comes first). Porter uses the one that verifies and names a live session.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const app = (path: string) => `${stack.appUrl}${path}`;
const cookieName = () => stack.instances[0]?.config.session.cookieName ?? '';

/** The raw value of a signed-in browser's session cookie. */
async function liveCookie(): Promise<string> {
  const browser = new Browser();
  await signIn(browser, stack, 'student');
  return browser.cookie(cookieName()) ?? '';
}

/** The raw value of a session cookie whose session has ended (correctly signed, names nothing). */
async function endedCookie(): Promise<string> {
  const browser = new Browser();
  await signIn(browser, stack, 'staff');
  const value = browser.cookie(cookieName()) ?? '';
  await browser.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
  return value;
}

const me = (cookie: string) => fetch(app('/auth/me'), { headers: { accept: 'application/json', cookie } });

describe('several session cookies in one request', () => {
  let live: string;
  let ended: string;
  beforeAll(async () => {
    [live, ended] = [await liveCookie(), await endedCookie()];
  });

  it.each([
    ['junk first', () => `${cookieName()}=junk; ${cookieName()}=${live}`],
    ['an ended session first', () => `${cookieName()}=${ended}; ${cookieName()}=${live}`],
    ['an ended session last', () => `${cookieName()}=${live}; ${cookieName()}=${ended}`],
    ['other cookies between', () => `${cookieName()}=${ended}; theme=dark; ${cookieName()}=junk; c1_anon=1; ${cookieName()}=${live}`],
  ])('answers /auth/me 200 for the live one, with %s', async (_label, header) => {
    const response = await me(header());
    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { role: string } }).user.role).toBe('student');
  });

  it('answers 401 when none of them names a live session', async () => {
    expect((await me(`${cookieName()}=junk; ${cookieName()}=${ended}`)).status).toBe(401);
  });

  it('uses the live one in routes behind express-session too, and sets no new cookie', async () => {
    const staff = new Browser();
    await signIn(staff, stack, 'admin');
    const admin = staff.cookie(cookieName()) ?? '';
    const response = await fetch(app('/api/admin/reports'), { headers: { accept: 'application/json', cookie: `${cookieName()}=${ended}; ${cookieName()}=${admin}` } });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('signs out the live session when a stale cookie comes first', async () => {
    const value = await liveCookie();
    const both = `${cookieName()}=${ended}; ${cookieName()}=${value}`;
    expect((await fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1', cookie: both } })).status).toBe(200);
    expect((await me(`${cookieName()}=${value}`)).status).toBe(401);
  });
});
