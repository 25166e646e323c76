import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatedWithin } from '../src/session/lifetime.js';
import { createSessionStore } from '../src/session/middleware.js';
import { createKeys } from '../src/store/keys.js';
import { redisUrl } from './support/env.js';
import { errorCode } from './support/errors.js';
import { sessionIdOf } from './support/session.js';
import type { Navigation } from './support/browser.js';
import { Browser, chooseAccount, signIn, startStack, subOf, type AccountHandle, type Stack } from './support/stack.js';

/*
 * Issue 13, step-up for admin actions: ending someone else's sessions needs a sign-in at Campus
 * One at most PORTER_STEP_UP_MAX_AGE_S (600 s) old. Against the real local Campus One, whose
 * sign-in page can date a sign-in in the past ("Signed in 15 minutes ago"), as a Campus One
 * session kept from earlier would.
 */

const FIFTEEN_MINUTES_S = 15 * 60;
const MAX_AGE_S = 600;

describe('authenticatedWithin', () => {
  const now = 1_800_000_000_000;
  it.each([
    ['just now', now, true],
    ['exactly the maximum age ago', now - MAX_AGE_S * 1000, true],
    ['a millisecond too long ago', now - MAX_AGE_S * 1000 - 1, false],
    ['15 minutes ago', now - FIFTEEN_MINUTES_S * 1000, false],
    ['a little ahead (Campus One’s clock)', now + 5000, true],
    ['never said (null)', null, false],
    ['never said (an older session)', undefined, false],
  ])('an authentication %s is %s', (_label, authTime, recent) => {
    expect(authenticatedWithin(authTime === undefined ? {} : { authTime }, now, MAX_AGE_S)).toBe(recent);
  });
});

let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  stack = await startStack();
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await stack.close();
});

const json = { accept: 'application/json' };
const sub = (handle: AccountHandle) => subOf(stack, handle);
const sessionsUrl = (of: AccountHandle) => `${stack.appUrl}/api/admin/users/${encodeURIComponent(sub(of))}/sessions`;
const revoke = (admin: Browser, of: AccountHandle) => admin.fetch(sessionsUrl(of), { method: 'DELETE', headers: { ...json, 'x-csrf': '1' } });
const onApp = (url: URL) => url.origin === stack.appUrl && !url.pathname.startsWith('/auth/');
const atCallback = (url: URL) => url.pathname === '/auth/callback';

interface Stored {
  authTime: number | null;
  tokens: string;
  tokensRevision?: number;
  user: { sub: string; role: string };
}
const stored = async (browser: Browser, on: Stack = stack): Promise<Stored> => {
  const raw = await redis.get(`${on.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, on)}`);
  if (raw === null) throw new Error('no stored session');
  return JSON.parse(raw) as Stored;
};

/** A fresh browser signed in as `account`, whose sign-in at Campus One was `agoS` seconds ago. */
async function signedInAgo(account: AccountHandle, agoS: number): Promise<Browser> {
  const browser = new Browser();
  await signIn(browser, stack, account, { signedInAgoS: agoS });
  return browser;
}

/** Starts a step-up back to `/admin/users` and returns Campus One's sign-in page, with the authorization request it came from. */
async function startStepUp(browser: Browser, on: Stack = stack) {
  const login = await browser.fetch(`${on.appUrl}/auth/login?step_up=1&returnTo=${encodeURIComponent('/admin/users?q=chiamaka')}`);
  expect(login.status).toBe(302);
  const authorization = new URL(login.headers.get('location') ?? '');
  const page = await browser.navigate(authorization, { stop: (url) => url.origin === on.appUrl });
  return { authorization, page };
}

/**
 * When another account signs in over a Campus One session, oidc-provider first ends that session
 * with a form a browser's script submits at once; this submits it, as the browser would, and
 * follows the redirects until `stop` (by default, Porter's callback).
 */
async function switchAccount(browser: Browser, page: Navigation, stop: (url: URL) => boolean = atCallback): Promise<Navigation> {
  const html = await page.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`expected Campus One's end-session form at ${page.url.href}`);
  const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]));
  return browser.navigate(new URL(action, page.url), {
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() },
    stop,
  });
}

describe('ending someone else’s sessions needs a recent sign-in', () => {
  it('answers 401 porter/step_up_required to an admin who signed in at Campus One 15 minutes ago; reading stays allowed', async () => {
    const student = new Browser();
    await signIn(student, stack, 'student');
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    expect((await stored(admin)).authTime).toBeLessThan(Date.now() - MAX_AGE_S * 1000);

    expect((await admin.fetch(`${stack.appUrl}/api/admin/users?q=chiamaka`, { headers: json })).status).toBe(200);
    expect((await admin.fetch(sessionsUrl('student'), { headers: json })).status).toBe(200);
    const refused = await revoke(admin, 'student');
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe('porter/step_up_required');
    expect((await student.fetch(`${stack.appUrl}/auth/me`, { headers: json })).status).toBe(200);
    // The admin is still signed in: the step-up is not a sign-out.
    expect((await admin.fetch(`${stack.appUrl}/auth/me`, { headers: json })).status).toBe(200);
  });

  it('asks for the CSRF header before any step-up', async () => {
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    const refused = await admin.fetch(sessionsUrl('student'), { method: 'DELETE', headers: json });
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe('porter/csrf_required');
  });
});

describe('/auth/login?step_up=1', () => {
  it('makes Campus One ask again, keeps the session id, stores the new auth_time and fresh tokens; the revocation then goes through', async () => {
    const student = new Browser();
    await signIn(student, stack, 'student');
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    const id = sessionIdOf(admin, stack);
    const before = await stored(admin);

    const { authorization, page } = await startStepUp(admin);
    expect(authorization.searchParams.get('max_age')).toBe('0');
    expect(authorization.searchParams.get('prompt')).toBe('login');
    // Campus One holds the admin's session, and asks all the same.
    expect(page.url.pathname).toMatch(/^\/interaction\//);
    const back = await chooseAccount(admin, page, 'admin', onApp);
    expect(`${back.url.pathname}${back.url.search}`).toBe('/admin/users?q=chiamaka');

    expect(sessionIdOf(admin, stack)).toBe(id);
    const after = await stored(admin);
    expect(after.authTime).toBeGreaterThan(Date.now() - 60_000);
    expect(after.tokens).not.toBe(before.tokens);
    expect(after.tokensRevision).toBe((before.tokensRevision ?? 0) + 1);
    expect(after.user).toEqual(before.user);

    const response = await revoke(admin, 'student');
    expect(response.status).toBe(200);
    expect((await student.fetch(`${stack.appUrl}/auth/me`, { headers: json })).status).toBe(401);
    // The fresh tokens work: /auth/me answers, and the API proxy would use them.
    expect((await admin.fetch(`${stack.appUrl}/auth/me`, { headers: json })).status).toBe(200);
  });

  it('keeps the new auth_time and tokens when a request that read the session before the step-up writes back its older copy', async () => {
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    const id = sessionIdOf(admin, stack);
    const { config, kv } = stack.instances[0]!;
    const store = createSessionStore(config, kv, createKeys(config.redis.prefix), () => Date.now());
    const before = await new Promise<Record<string, unknown>>((resolve, reject) =>
      store.get(id, (err, data) => (err ? reject(err) : resolve(data as unknown as Record<string, unknown>))),
    );

    const { page } = await startStepUp(admin);
    await chooseAccount(admin, page, 'admin', onApp);
    const steppedUp = await stored(admin);
    // express-session writes a whole session back at the end of a request (an idle-expiry touch).
    await new Promise<void>((resolve, reject) => store.set(id, { ...before, lastTouchedAt: Date.now() } as never, (err) => (err ? reject(err) : resolve())));

    const after = await stored(admin);
    expect(after.authTime).toBe(steppedUp.authTime);
    expect(after.tokens).toBe(steppedUp.tokens);
    expect((await revoke(admin, 'student')).status).toBe(200);
  });

  it('refuses an auth_time older than the step-up asked for with 400 porter/step_up_not_fresh, and changes nothing', async () => {
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    const id = sessionIdOf(admin, stack);
    const before = await stored(admin);

    const { page } = await startStepUp(admin);
    // Campus One answers with its sign-in dated 15 minutes back, as a provider ignoring max_age would.
    const callback = await chooseAccount(admin, page, 'admin', atCallback, FIFTEEN_MINUTES_S);
    const answer = await admin.fetch(callback.url, { headers: json });
    expect(answer.status).toBe(400);
    expect(await errorCode(answer)).toBe('porter/step_up_not_fresh');

    expect(sessionIdOf(admin, stack)).toBe(id);
    expect(await stored(admin)).toEqual(before);
    expect((await revoke(admin, 'student')).status).toBe(401);
  });

  it('refuses a step-up as another person with 403 porter/step_up_wrong_user, and keeps the admin’s session as it was', async () => {
    // A Campus One without back-channel logout: the admin's session is still there when the other
    // person comes back (the local one's default signs the admin out first; see below).
    const quiet = await startStack({ backchannelLogout: false });
    try {
      const admin = new Browser();
      await signIn(admin, quiet, 'admin', { signedInAgoS: FIFTEEN_MINUTES_S });
      const id = sessionIdOf(admin, quiet);
      const before = await stored(admin, quiet);

      const { page } = await startStepUp(admin, quiet);
      const callback = await switchAccount(admin, await chooseAccount(admin, page, 'student', atCallback));
      const answer = await admin.fetch(callback.url, { headers: json });
      expect(answer.status).toBe(403);
      expect(await errorCode(answer)).toBe('porter/step_up_wrong_user');

      expect(sessionIdOf(admin, quiet)).toBe(id);
      expect(await stored(admin, quiet)).toEqual(before);
    } finally {
      await quiet.close();
    }
  });

  it('ends the admin’s session when Campus One signs them out to let another person in (back-channel logout)', async () => {
    const admin = await signedInAgo('admin', FIFTEEN_MINUTES_S);
    const adminId = sessionIdOf(admin, stack);
    const { page } = await startStepUp(admin);
    await switchAccount(admin, await chooseAccount(admin, page, 'student', onApp), onApp);
    expect(await redis.exists(`${stack.instances[0]!.config.redis.prefix}sess:${adminId}`)).toBe(0);
    // Whoever signed in at Campus One is who the browser now is: not an admin.
    expect((await stored(admin)).user.sub).toBe(sub('student'));
    expect((await revoke(admin, 'student')).status).toBe(403);
  });

  it('signs in with a fresh session id when there is no session to step up', async () => {
    const browser = new Browser();
    const { page } = await startStepUp(browser);
    await chooseAccount(browser, page, 'admin', onApp);
    const session = await stored(browser);
    expect(session.user.sub).toBe(sub('admin'));
    expect(session.authTime).toBeGreaterThan(Date.now() - 60_000);
  });

  it('still gives a normal sign-in a new session id', async () => {
    const admin = await signedInAgo('admin', 0);
    const id = sessionIdOf(admin, stack);
    await signIn(admin, stack, 'admin');
    expect(sessionIdOf(admin, stack)).not.toBe(id);
  });
});
