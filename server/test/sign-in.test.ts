import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '@porter/shared';
import { Browser, chooseAccount, signIn, startStack, type Stack } from './support/stack.js';
import { sessionIdOf } from './support/session.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const app = (path: string) => `${stack.appUrl}${path}`;
const onApp = (url: URL) => url.origin === stack.appUrl && !url.pathname.startsWith('/auth/');

async function me(browser: Browser) {
  const response = await browser.fetch(app('/auth/me'), { headers: { accept: 'application/json' } });
  return { response, body: (await response.json()) as MeResponse & { error?: { code: string } } };
}

/** Starts a login and stops at the callback URL, before Porter sees it. */
async function reachCallback(browser: Browser) {
  const page = await browser.navigate(app('/auth/login?returnTo=/dashboard'));
  const atCallback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
  return atCallback.url;
}

describe('interactive sign-in', () => {
  it('signs the student in and returns to the page they asked for', async () => {
    const browser = new Browser();
    const done = await signIn(browser, stack, 'student', { returnTo: '/dashboard?tab=profile' });
    expect(done.url.href).toBe(app('/dashboard?tab=profile'));
    const { response, body } = await me(browser);
    expect(response.status).toBe(200);
    const student = stack.provider.accounts.find((a) => a.id === 'student');
    expect(body.user).toMatchObject({
      sub: student?.sub,
      name: student?.name,
      email: student?.email,
      role: 'student',
      roles: ['student'],
      studentId: student?.academic?.student_id,
      level: student?.academic?.level,
      facultyId: student?.academic?.faculty_id,
      departmentId: student?.academic?.department_id,
    });
    expect(Date.parse(body.session.expiresAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(body.session.absoluteExpiresAt)).toBeGreaterThanOrEqual(Date.parse(body.session.expiresAt));
  });

  it('sets an HttpOnly, SameSite=Lax session cookie and never hands a token to the browser', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    const finished = await browser.fetch(callback);
    expect(finished.headers.get('cache-control')).toBe('no-store');
    const sessionCookie = finished.headers.getSetCookie().find((line) => line.startsWith('porter.sid='));
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(sessionCookie).not.toMatch(/; Secure/);
    const { response, body } = await me(browser);
    const text = JSON.stringify(body);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
    expect(text).not.toMatch(/token/i);
  });

  it('asks Campus One with PKCE S256, a fresh state and nonce, and ignores redirect_uri and scope from the query', async () => {
    const browser = new Browser();
    const urls = [];
    for (let i = 0; i < 2; i++) {
      const first = await browser.fetch(app('/auth/login?redirect_uri=https://evil.example/cb&scope=openid%20admin'));
      expect(first.status).toBe(302);
      urls.push(new URL(first.headers.get('location') ?? ''));
    }
    const [a, b] = urls;
    expect(a?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(a?.searchParams.get('redirect_uri')).toBe(app('/auth/callback'));
    expect(a?.searchParams.get('scope')).toBe('openid profile email academic roles offline_access');
    expect(a?.searchParams.get('prompt')).toBeNull();
    expect(a?.searchParams.get('state')).not.toBe(b?.searchParams.get('state'));
    expect(a?.searchParams.get('nonce')).not.toBe(b?.searchParams.get('nonce'));
    expect(a?.searchParams.get('code_challenge')).not.toBe(b?.searchParams.get('code_challenge'));
  });

  it('gives a new session id at sign-in, and the previous one dies', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const before = sessionIdOf(browser, stack);
    const stale = browser.clone();
    await signIn(browser, stack, 'student');
    expect(sessionIdOf(browser, stack)).not.toBe(before);
    expect((await me(browser)).body.user.role).toBe('student');
    expect((await me(stale)).response.status).toBe(401);
  });

  it('lets two tabs of one browser sign in at the same time', async () => {
    const browser = new Browser();
    const tab1 = await browser.navigate(app('/auth/login?returnTo=/one'));
    const tab2 = await browser.navigate(app('/auth/login?returnTo=/two'));
    const finish = (page: typeof tab1) => chooseAccount(browser, page, 'student', onApp);
    const [second, first] = [await finish(tab2), await finish(tab1)];
    expect(second.url.href).toBe(app('/two'));
    expect(first.url.href).toBe(app('/one'));
    expect((await me(browser)).response.status).toBe(200);
  });
});

describe('return addresses', () => {
  it.each(['//evil.example', '/.//evil.example', '/\\evil.example', '/%2F%2Fevil.example', 'https://evil.example/', 'javascript:alert(1)'])(
    'sends the browser to / instead of %s',
    async (returnTo) => {
      const browser = new Browser();
      const done = await signIn(browser, stack, 'student', { returnTo });
      expect(done.url.href).toBe(app('/'));
    },
  );

  // Issue 10, fault 3: the query cannot leave the origin, so it comes back exactly as it went.
  it.each(['/dashboard?path=/a/b', '/dashboard?date=2026/11/29', '/dashboard?next=%2Fadmin', '/dashboard?file=a%2Fb', '/dashboard?q=a%5Cb'])(
    'returns to %s with its query byte for byte',
    async (returnTo) => {
      const browser = new Browser();
      const done = await signIn(browser, stack, 'student', { returnTo });
      expect(done.url.href).toBe(app(returnTo));
    },
  );

  it('accepts `next` as the seed examples name it', async () => {
    const browser = new Browser();
    const page = await browser.navigate(app('/auth/login?next=/from-next'));
    const done = await chooseAccount(browser, page, 'staff', onApp);
    expect(done.url.href).toBe(app('/from-next'));
  });
});

describe('silent sign-in', () => {
  it('signs in without a page when the visitor has a Campus One session', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    await browser.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
    expect((await me(browser)).response.status).toBe(401);
    const silent = await browser.navigate(app('/auth/login?prompt=none&returnTo=/welcome'), { stop: onApp });
    expect(silent.url.href).toBe(app('/welcome'));
    expect(silent.hops.some((hop) => hop.pathname.includes('/interaction/'))).toBe(false);
    expect(new URL(silent.hops[1] ?? '').searchParams.get('prompt')).toBe('none');
    expect((await me(browser)).body.user.role).toBe('student');
  });

  it('marks the visitor anonymous and creates no session when Campus One has none', async () => {
    const browser = new Browser();
    const atCallback = await browser.navigate(app('/auth/login?prompt=none&returnTo=/courses'), {
      stop: (url) => url.pathname === '/auth/callback',
    });
    expect(atCallback.url.searchParams.get('error')).toBe('login_required');
    const silent = await browser.fetch(atCallback.url);
    expect(silent.status).toBe(302);
    expect(silent.headers.get('location')).toBe('/courses');
    const marker = silent.headers.getSetCookie().find((line) => line.startsWith('c1_anon=1'));
    expect(marker).toMatch(/Max-Age=300/);
    expect(marker).toMatch(/HttpOnly/);
    expect(marker).toMatch(/SameSite=Lax/);
    expect(browser.cookie('c1_anon')).toBe('1');
    expect(browser.cookieNames()).not.toContain(stack.instances[0]?.config.session.cookieName);
    expect((await me(browser)).response.status).toBe(401);
  });

  it('marks the visitor anonymous on any Campus One error to a silent attempt, without an error page', async () => {
    const browser = new Browser();
    const atCallback = await browser.navigate(app('/auth/login?prompt=none&returnTo=/news'), {
      stop: (url) => url.pathname === '/auth/callback',
    });
    atCallback.url.searchParams.set('error', 'server_error');
    const response = await browser.fetch(atCallback.url);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/news');
    expect(browser.cookie('c1_anon')).toBe('1');
  });

  it('leaves a silent attempt whose code fails its checks on the page the visitor opened, marked anonymous', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    await browser.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
    const atCallback = await browser.navigate(app('/auth/login?prompt=none&returnTo=/news'), {
      stop: (url) => url.pathname === '/auth/callback',
    });
    atCallback.url.searchParams.set('code', 'forged-code');
    const response = await browser.fetch(atCallback.url);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/news');
    expect(browser.cookie('c1_anon')).toBe('1');
    expect((await me(browser)).response.status).toBe(401);
  });

  it('stops silent retries even when the silent attempt’s transaction is gone', async () => {
    const browser = new Browser();
    const response = await browser.fetch(app('/auth/callback?error=login_required&state=lost'));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    expect(browser.cookie('c1_anon')).toBe('1');
  });

  it('clears the anonymous marker at the next successful sign-in', async () => {
    const browser = new Browser();
    await browser.navigate(app('/auth/login?prompt=none&returnTo=/'), { stop: onApp });
    expect(browser.cookie('c1_anon')).toBe('1');
    await signIn(browser, stack, 'student');
    expect(browser.cookie('c1_anon')).toBeUndefined();
  });
});

describe('callback checks', () => {
  async function expectRefused(browser: Browser, url: URL | string, code: string) {
    const response = await browser.fetch(url, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect((await me(browser)).response.status).toBe(401);
  }

  it('refuses a callback without state', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    callback.searchParams.delete('state');
    await expectRefused(browser, callback, 'porter/invalid_state');
  });

  it('refuses an unknown state', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    callback.searchParams.set('state', 'not-a-state-this-browser-started');
    await expectRefused(browser, callback, 'porter/invalid_state');
  });

  it('refuses a callback whose transaction cookie was tampered with', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    const name = `porter.txn.${callback.searchParams.get('state')}`;
    const value = browser.cookie(name) ?? '';
    browser.setCookie(name, value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA'), '/auth');
    await expectRefused(browser, callback, 'porter/invalid_state');
  });

  it('refuses a callback delivered to another browser than the one that started it', async () => {
    const callback = await reachCallback(new Browser());
    await expectRefused(new Browser(), callback, 'porter/invalid_state');
  });

  it('refuses a replayed callback, even with the transaction cookie copied', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    const attacker = browser.clone();
    const first = await browser.fetch(callback);
    expect(first.status).toBe(302);
    await expectRefused(attacker, callback, 'porter/invalid_state');
  });

  it('answers a browser with an HTML page that does not reflect Campus One’s text', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    callback.searchParams.delete('code');
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', '<script>alert(1)</script>');
    const response = await browser.fetch(callback);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('porter/provider_error');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert(1)');
  });

  it('refuses a forged code', async () => {
    const browser = new Browser();
    const callback = await reachCallback(browser);
    callback.searchParams.set('code', 'forged-code');
    await expectRefused(browser, callback, 'porter/token_rejected');
  });
});

describe('sign-out', () => {
  it('refuses a logout without X-CSRF and leaves the session alive', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const response = await browser.fetch(app('/auth/logout'), { method: 'POST' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('porter/csrf_required');
    expect((await me(browser)).response.status).toBe(200);
  });

  it('ends the session, clears the cookie, and offers a same-origin way to Campus One’s end-session URL, never the id_token', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const stolen = browser.clone();
    const response = await browser.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(response.status).toBe(200);
    const text = await response.text();
    // What the page's JavaScript reads carries no token (issue 10, fault 6).
    expect(text).not.toMatch(/eyJ|id_token/);
    const body = JSON.parse(text) as { ok: boolean; endSessionUrl: string };
    expect(body.endSessionUrl).toMatch(/^\/auth\/end-session\/[\w-]{43}$/);
    const redirect = await browser.fetch(app(body.endSessionUrl));
    expect(redirect.status).toBe(302);
    const endSession = new URL(redirect.headers.get('location') ?? '');
    expect(endSession.origin).toBe(stack.provider.issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(app('/'));
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    // Once only: a second visit of the handle goes home, with no token.
    const again = await browser.fetch(app(body.endSessionUrl));
    expect(again.headers.get('location')).toBe('/');
    expect(browser.cookieNames()).not.toContain('porter.sid');
    // The next page view must not sign the visitor silently back in.
    expect(browser.cookie('c1_anon')).toBe('1');
    expect((await me(browser)).response.status).toBe(401);
    expect((await me(stolen)).response.status).toBe(401);
  });
});

describe('id_token signatures', () => {
  it('follows Campus One’s key rotation once its JWKS refetch cooldown has passed', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'student');
    const before = stack.provider.signingKey.kid;
    await stack.provider.rotateKeys();
    expect(stack.provider.signingKey.kid).not.toBe(before);
    // openid-client refetches the JWKS for an unknown key id at most once a minute (so forged
    // key ids cannot make Porter hammer Campus One); every part of this test reads this clock.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const fresh = new Browser();
      await signIn(fresh, stack, 'staff');
      expect((await me(fresh)).body.user.role).toBe('staff');
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts EdDSA when the provider advertises it', async () => {
    const eddsa = await startStack({ provider: { idTokenAlg: 'EdDSA' } });
    try {
      const browser = new Browser();
      await signIn(browser, eddsa, 'admin');
      const response = await browser.fetch(`${eddsa.appUrl}/auth/me`);
      expect(((await response.json()) as MeResponse).user.roles).toEqual(['admin', 'staff']);
    } finally {
      await eddsa.close();
    }
  });

  it('refuses an id_token whose algorithm is not the one configured', async () => {
    const pinned = await startStack({ env: { CAMPUS_ONE_ID_TOKEN_ALG: 'ES256' } });
    try {
      const browser = new Browser();
      const page = await browser.navigate(`${pinned.appUrl}/auth/login`);
      const done = await chooseAccount(browser, page, 'student');
      expect(done.url.pathname).toBe('/auth/callback');
      expect(done.response.status).toBe(400);
      expect(await done.response.text()).toContain('porter/token_rejected');
    } finally {
      await pinned.close();
    }
  });
});
