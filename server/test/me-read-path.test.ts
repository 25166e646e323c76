import { sign } from 'cookie-signature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../src/store/keys.js';
import { sessionIdOf } from './support/session.js';
import { Browser, SESSION_SECRET, signIn, startStack, type Stack } from './support/stack.js';

// /auth/me's steady state is answered before Express and express-session (http/me-shortcut.ts):
// these check that it accepts and refuses exactly the cookies express-session does, and that it
// answers with the same headers as the Express path.
const PREVIOUS_SECRET = 'previous-session-secret-0123456789-abcdef';
const MINUTE = 60_000;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { SESSION_SECRET: `${SESSION_SECRET},${PREVIOUS_SECRET}`, SESSION_TOUCH_INTERVAL_MS: String(5 * MINUTE) } });
});
afterAll(() => stack.close());

const cookieName = () => stack.instances[0]!.config.session.cookieName;
const meWith = (cookieValue: string) =>
  new Browser().fetch(`${stack.appUrl}/auth/me`, { headers: { cookie: `${cookieName()}=${encodeURIComponent(cookieValue)}` } });

describe('GET /auth/me read path', () => {
  it('tells the web app, when no one is signed in, that Campus One can sign a visitor in silently', async () => {
    for (const answer of [await new Browser().fetch(`${stack.appUrl}/auth/me`), await meWith(`s:${sign('no-such-session', SESSION_SECRET)}`)]) {
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ error: { code: 'porter/unauthenticated', message: 'Not signed in.' }, signIn: { silent: true } });
    }
  });

  it('accepts a session cookie signed with any configured secret, so rotating SESSION_SECRET keeps sessions', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const id = sessionIdOf(browser, stack);
    expect((await meWith(`s:${sign(id, SESSION_SECRET)}`)).status).toBe(200);
    expect((await meWith(`s:${sign(id, PREVIOUS_SECRET)}`)).status).toBe(200);
  });

  it('refuses a real session id signed with another secret, or not signed at all', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const id = sessionIdOf(browser, stack);
    expect((await meWith(`s:${sign(id, 'some-other-secret-0123456789-abcdefghij')}`)).status).toBe(401);
    expect((await meWith(id)).status).toBe(401);
    expect((await meWith(`s:${id}`)).status).toBe(401);
  });

  it('answers the same headers and body whether it only reads or also moves the idle expiry', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const read = await browser.fetch(`${stack.appUrl}/auth/me`);
    stack.instances[0]!.clock.offsetMs = 6 * MINUTE;
    let touched: Response;
    try {
      touched = await browser.fetch(`${stack.appUrl}/auth/me`);
    } finally {
      stack.instances[0]!.clock.offsetMs = 0;
    }
    // A write re-sends the same session cookie (express-session does so for a changed session).
    // X-Request-Id: Express logs every request under one; the shortcut only at debug (server/README.md).
    const ignored = ['date', 'content-length', 'set-cookie', 'x-request-id'];
    const headers = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => !ignored.includes(name)));
    expect(headers(read)).toEqual(headers(touched));
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.headers.get('set-cookie')).toBeNull();
    expect(touched.headers.get('set-cookie')).toContain(browser.cookie(cookieName()));
    const [readBody, touchedBody] = (await Promise.all([read.json(), touched.json()])) as { user: unknown; session: { expiresAt: string } }[];
    expect(touchedBody?.user).toEqual(readBody?.user);
    expect(Date.parse(touchedBody?.session.expiresAt ?? '')).toBeGreaterThan(Date.parse(readBody?.session.expiresAt ?? ''));
  });

  it('answers from what the store holds at each request: a session changed, ended or put back since the last answer', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const { kv, config, clock } = stack.instances[0]!;
    const key = createKeys(config.redis.prefix).session(sessionIdOf(browser, stack));
    const me = async () => {
      const answer = await browser.fetch(`${stack.appUrl}/auth/me`);
      return { status: answer.status, body: (await answer.json()) as { user?: { name: string } } };
    };
    const first = await me();
    expect(first.status).toBe(200);
    expect(await me()).toEqual(first);

    // The same session, written in the store between two answers (as a webhook's change is).
    const stored = (await kv.get(key))!;
    const changed = JSON.parse(stored) as { user: { name: string } };
    changed.user.name = 'A Name Changed In The Store';
    await kv.set(key, JSON.stringify(changed), MINUTE);
    expect((await me()).body.user?.name).toBe('A Name Changed In The Store');

    await kv.del(key);
    expect((await me()).status).toBe(401);

    // The very bytes answered before: the same answer, and the rules still run at this request's time.
    await kv.set(key, stored, MINUTE);
    expect(await me()).toEqual(first);
    clock.offsetMs = config.session.idleTimeoutMs + MINUTE;
    try {
      expect((await me()).status).toBe(401);
    } finally {
      clock.offsetMs = 0;
    }
  });
});
