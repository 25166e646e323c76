import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndSessionsResponse, OwnSessionsResponse } from '@porter/shared';
import { errorCode } from './support/errors.js';
import { sessionIdOf } from './support/session.js';
import { Browser, signIn, startStack, type AccountHandle, type Stack } from './support/stack.js';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ instances: 2 });
});
afterAll(() => stack.close());

const json = { accept: 'application/json' };
const origin = () => new URL(stack.appUrl).origin;
const writeHeaders = () => ({ ...json, 'x-csrf': '1', origin: origin(), 'sec-fetch-site': 'same-origin' });
/** The URL on one instance; the browser's cookie is host-only to the first, so send it there explicitly. */
const onInstance = (path: string, instance: number) => `${stack.instances[instance]?.origin ?? ''}${path}`;

async function signedIn(account: AccountHandle, userAgent?: string): Promise<Browser> {
  const browser = new Browser(userAgent);
  await signIn(browser, stack, account);
  return browser;
}

async function list(browser: Browser): Promise<OwnSessionsResponse> {
  const response = await browser.fetch(`${stack.appUrl}/auth/sessions`, { headers: json });
  expect(response.status).toBe(200);
  return (await response.json()) as OwnSessionsResponse;
}

async function meStatus(browser: Browser, instance = 0): Promise<number> {
  const cookie = browser.cookieHeader(new URL(stack.appUrl));
  const response = await fetch(onInstance('/auth/me', instance), { headers: { ...json, cookie } });
  await response.arrayBuffer();
  return response.status;
}

describe('your devices', () => {
  it('answers 401 JSON without a session', async () => {
    const response = await new Browser().fetch(`${stack.appUrl}/auth/sessions`, { headers: json });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('porter/unauthenticated');
  });

  it('lists the person’s live sessions with device, sign-in method and times, the current one marked, under handles', async () => {
    const laptop = await signedIn('staff', FIREFOX_WINDOWS);
    const phone = await signedIn('staff', SAFARI_IPHONE);
    const response = await phone.fetch(`${stack.appUrl}/auth/sessions`, { headers: json });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const body = JSON.parse(text) as OwnSessionsResponse;
    const devices = body.sessions.map((session) => session.device);
    expect(devices).toContain('Firefox on Windows');
    expect(devices).toContain('Safari on iOS');
    const current = body.sessions.filter((session) => session.current);
    expect(current).toHaveLength(1);
    expect(current[0]?.device).toBe('Safari on iOS');
    for (const session of body.sessions) {
      expect(session.signInMethod).toBe('interactive');
      expect(session.handle).toMatch(/^[\w-]{22}$/);
      expect(Date.parse(session.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
    }
    expect(body.lastSeenAccuracyS * 1000).toBe(stack.instances[0]?.config.session.touchIntervalMs);
    // Nothing that names a session to an attacker, and no token, leaves the server.
    for (const browser of [laptop, phone]) expect(text).not.toContain(sessionIdOf(browser, stack));
    expect(text).not.toMatch(/eyJ|Mozilla/);
  });

  it('ends one of the person’s sessions by its handle: the other browser gets 401 at once, on every instance', async () => {
    const laptop = await signedIn('student', FIREFOX_WINDOWS);
    const phone = await signedIn('student', SAFARI_IPHONE);
    const laptopSession = (await list(laptop)).sessions.find((session) => session.current);
    const response = await phone.fetch(`${stack.appUrl}/auth/sessions/${laptopSession?.handle ?? ''}`, { method: 'DELETE', headers: writeHeaders() });
    expect(response.status).toBe(200);
    expect(((await response.json()) as EndSessionsResponse).ended).toBe(1);
    expect(await meStatus(laptop, 0)).toBe(401);
    expect(await meStatus(laptop, 1)).toBe(401);
    expect(await meStatus(phone, 1)).toBe(200);
  });

  it('ends every session but the current one with ?others=1', async () => {
    const others = [await signedIn('admin'), await signedIn('admin')];
    const current = await signedIn('admin');
    const response = await current.fetch(`${stack.appUrl}/auth/sessions?others=1`, { method: 'DELETE', headers: writeHeaders() });
    expect(response.status).toBe(200);
    expect(((await response.json()) as EndSessionsResponse).ended).toBeGreaterThanOrEqual(2);
    for (const other of others) expect(await meStatus(other)).toBe(401);
    expect(await meStatus(current)).toBe(200);
    expect((await list(current)).sessions).toHaveLength(1);
  });

  it('answers 404, not 403, to a handle of someone else’s session, and ends nothing', async () => {
    const student = await signedIn('student');
    const staff = await signedIn('staff');
    const staffHandle = (await list(staff)).sessions.find((session) => session.current)?.handle ?? '';
    for (const handle of [staffHandle, 'not-a-handle-at-all-000']) {
      const response = await student.fetch(`${stack.appUrl}/auth/sessions/${handle}`, { method: 'DELETE', headers: writeHeaders() });
      expect(response.status).toBe(404);
      expect(await errorCode(response)).toBe('porter/not_found');
    }
    expect(await meStatus(staff)).toBe(200);
  });

  it('refuses a write without X-CSRF, from a foreign Origin or a cross-site fetch, and ends nothing', async () => {
    const laptop = await signedIn('student');
    const phone = await signedIn('student');
    const handle = (await list(laptop)).sessions.find((session) => session.current)?.handle ?? '';
    const refusals: Array<Record<string, string>> = [
      { ...json, origin: origin(), 'sec-fetch-site': 'same-origin' },
      { ...writeHeaders(), origin: 'https://evil.example' },
      { ...writeHeaders(), 'sec-fetch-site': 'cross-site' },
      { ...writeHeaders(), 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refusals) {
      for (const path of [`/auth/sessions/${handle}`, '/auth/sessions?others=1']) {
        const response = await phone.fetch(`${stack.appUrl}${path}`, { method: 'DELETE', headers });
        expect(response.status).toBe(403);
        expect(await errorCode(response)).toBe('porter/csrf_required');
      }
    }
    expect(await meStatus(laptop)).toBe(200);
  });

  it('records a silent sign-in as silent', async () => {
    const browser = new Browser(FIREFOX_WINDOWS);
    await signIn(browser, stack, 'staff');
    // A Campus One session now exists: a prompt=none attempt signs in silently.
    await browser.navigate(`${stack.appUrl}/auth/login?prompt=none&returnTo=/`, { stop: (url) => url.pathname === '/' });
    const sessions = (await list(browser)).sessions;
    expect(sessions.find((session) => session.current)?.signInMethod).toBe('silent');
  });
});
