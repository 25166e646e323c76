import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Browser, CLIENT, chooseAccount, signIn, startStack, subOf, type Stack } from './support/stack.js';

/*
 * Issue 10, fault 4: tokens dated in the future. Campus One's clock may run up to
 * CAMPUS_ONE_CLOCK_TOLERANCE_S (60 s by default) ahead of Porter's, no more.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
afterEach(() => {
  stack.provider.idTokenClockOffsetS = 0;
});

const app = (path: string) => `${stack.appUrl}${path}`;
const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

async function me(browser: Browser): Promise<number> {
  return (await browser.fetch(app('/auth/me'), { headers: { accept: 'application/json' } })).status;
}

/** An interactive sign-in up to the callback, whose answer is returned. */
async function callbackAnswer(browser: Browser): Promise<Response> {
  const page = await browser.navigate(app('/auth/login?returnTo=/dashboard'));
  const atCallback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
  return browser.fetch(atCallback.url, { headers: { accept: 'application/json' } });
}

describe('id_tokens issued in the future', () => {
  it.each([
    ['15 minutes', 15 * MINUTE],
    ['a day', DAY],
    ['a year', 365 * DAY],
  ])('refuses an id_token issued %s ahead, and starts no session', async (_label, offsetS) => {
    stack.provider.idTokenClockOffsetS = offsetS;
    const browser = new Browser();
    const response = await callbackAnswer(browser);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('porter/token_rejected');
    expect(browser.cookieNames()).not.toContain(stack.instances[0]?.config.session.cookieName);
    expect(await me(browser)).toBe(401);
  });

  it('accepts an id_token from a clock up to the allowed tolerance ahead', async () => {
    stack.provider.idTokenClockOffsetS = 45;
    const browser = new Browser();
    const done = await signIn(browser, stack, 'student');
    expect(done.url.href).toBe(app('/dashboard'));
    expect(await me(browser)).toBe(200);
  });
});

describe('logout tokens issued in the future', () => {
  async function logoutToken(issuedAheadS: number): Promise<string> {
    const { alg, kid, privateKey } = stack.provider.signingKey;
    const iat = Math.floor(Date.now() / 1000) + issuedAheadS;
    return new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: randomUUID(), sub: subOf(stack, 'staff') })
      .setProtectedHeader({ alg, kid, typ: 'logout+jwt' })
      .setIssuer(stack.provider.issuer)
      .setAudience(CLIENT.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 120)
      .sign(privateKey);
  }

  const post = (token: string) =>
    fetch(app('/auth/backchannel-logout'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });

  it.each([
    ['15 minutes', 15 * MINUTE],
    ['a day', DAY],
  ])('refuses a logout token issued %s ahead and ends no session', async (_label, offsetS) => {
    const browser = new Browser();
    await signIn(browser, stack, 'staff');
    const response = await post(await logoutToken(offsetS));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('porter/invalid_logout_token');
    expect(await me(browser)).toBe(200);
  });

  it('accepts a logout token from a clock within the tolerance ahead', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'staff');
    expect((await post(await logoutToken(45))).status).toBe(200);
    expect(await me(browser)).toBe(401);
  });
});
