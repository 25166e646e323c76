import { randomUUID } from 'node:crypto';
import { SignJWT, base64url, generateKeyPair } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT, signLogoutToken, type LogoutTokenOptions } from '../dev/logout-tokens.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from './support/session.js';
import { Browser, CLIENT, signIn, startStack, subOf, type AccountHandle, type Stack } from './support/stack.js';

const LOGOUT_EVENT = BACKCHANNEL_LOGOUT_EVENT;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const sub = (handle: AccountHandle) => subOf(stack, handle);
const me = async (browser: Browser) => (await browser.fetch(`${stack.appUrl}/auth/me`, { headers: { accept: 'application/json' } })).status;

/** A signed-in browser and the Campus One session id (`sid`) its Porter session came from. */
async function signedIn(handle: AccountHandle): Promise<{ browser: Browser; sid: string }> {
  const browser = new Browser();
  await signIn(browser, stack, handle);
  return { browser, sid: await sidOf(browser) };
}

async function sidOf(browser: Browser): Promise<string> {
  const stored = JSON.parse((await stack.instances[0]!.kv.get(`${stack.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, stack)}`)) ?? '{}');
  return (stored as { providerSid: string }).providerSid;
}

/** A logout token as Campus One would sign it (Back-Channel Logout 1.0 §2.4), with what a test changes. */
const logoutToken = (options: Partial<LogoutTokenOptions> = {}) => signLogoutToken(stack.provider, { audience: CLIENT.clientId, ...options });

function post(token: string): Promise<Response> {
  return fetch(`${stack.appUrl}/auth/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }).toString(),
  });
}

describe('back-channel logout', () => {
  it('ends the sessions of the Campus One session named by sid, and no other', async () => {
    const first = await signedIn('student');
    const second = await signedIn('student');
    expect(first.sid).not.toBe(second.sid);
    const response = await post(await logoutToken({ claims: { sid: first.sid, sub: sub('student') } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await me(first.browser)).toBe(401);
    expect(await me(second.browser)).toBe(200);
  });

  it('ends every session of the user when the token names only sub', async () => {
    const sessions = [await signedIn('staff'), await signedIn('staff')];
    const bystander = await signedIn('admin');
    expect((await post(await logoutToken({ claims: { sub: sub('staff') } }))).status).toBe(200);
    for (const { browser } of sessions) expect(await me(browser)).toBe(401);
    expect(await me(bystander.browser)).toBe(200);
  });

  it('needs neither a session cookie nor the CSRF header: Campus One calls it', async () => {
    const { browser, sid } = await signedIn('student');
    const response = await post(await logoutToken({ claims: { sid } }));
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await me(browser)).toBe(401);
  });

  it('ends the Porter session when the user signs out at Campus One', async () => {
    const { browser } = await signedIn('student');
    const endSession = `${stack.provider.issuer}/api/auth/session/end`;
    const confirmation = await browser.fetch(endSession);
    const html = await confirmation.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    // Campus One answers the sign-out only after its back-channel POST to Porter was answered.
    const done = await browser.fetch(new URL(action, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(done.status).toBeLessThan(400);
    expect(await me(browser)).toBe(401);
  });
});

describe('back-channel logout refuses, with 400 and nothing deleted,', () => {
  const unsigned = (claims: Record<string, unknown>) =>
    `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'logout+jwt' }))}.${base64url.encode(JSON.stringify(claims))}.`;
  const now = () => Math.floor(Date.now() / 1000);

  const cases: Array<[string, (sid: string) => Promise<string> | string]> = [
    ['an unsigned token (alg none)', (sid) => unsigned({ iss: stack.provider.issuer, aud: CLIENT.clientId, iat: now(), exp: now() + 120, jti: randomUUID(), sid, events: { [LOGOUT_EVENT]: {} } })],
    ['a token signed with a key not in Campus One’s JWKS', async (sid) => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({ sid, jti: randomUUID(), events: { [LOGOUT_EVENT]: {} } })
        .setProtectedHeader({ alg: 'RS256', kid: stack.provider.signingKey.kid })
        .setIssuer(stack.provider.issuer).setAudience(CLIENT.clientId).setIssuedAt().setExpirationTime('2m')
        .sign(privateKey);
    }],
    ['another issuer', (sid) => logoutToken({ claims: { sid }, issuer: 'https://evil.example' })],
    ['another audience', (sid) => logoutToken({ claims: { sid }, audience: 'another-client' })],
    ['no events claim', (sid) => logoutToken({ claims: { sid, events: undefined } })],
    ['an events claim without the logout event', (sid) => logoutToken({ claims: { sid, events: { 'http://schemas.openid.net/event/other': {} } } })],
    ['a nonce (an ID token)', (sid) => logoutToken({ claims: { sid, nonce: 'n-0S6_WzA2Mj' } })],
    ['neither sid nor sub', () => logoutToken()],
    ['no jti', (sid) => logoutToken({ claims: { sid, jti: undefined } })],
    ['an expired token', (sid) => logoutToken({ claims: { sid }, issuedAt: now() - 600, expiresIn: now() - 300 })],
    ['a token issued in the future', (sid) => logoutToken({ claims: { sid }, issuedAt: now() + 600, expiresIn: now() + 900 })],
    ['something that is not a JWT', () => 'not-a-jwt'],
  ];

  it.each(cases)('%s', async (_case, make) => {
    const { browser, sid } = await signedIn('student');
    const response = await post(await make(sid));
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('porter/invalid_logout_token');
    expect(await me(browser)).toBe(200);
  });

  it('a replayed token (same jti), even for a new session of the same Campus One session', async () => {
    const first = await signedIn('student');
    const token = await logoutToken({ claims: { sid: first.sid } });
    expect((await post(token)).status).toBe(200);
    expect(await me(first.browser)).toBe(401);
    // Signing in again in the same browser reuses the Campus One session, so the same sid.
    await signIn(first.browser, stack, 'student');
    expect(await sidOf(first.browser)).toBe(first.sid);
    const replay = await post(token);
    expect(replay.status).toBe(400);
    expect(await me(first.browser)).toBe(200);
  });

  it('a request without a logout_token', async () => {
    const response = await fetch(`${stack.appUrl}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('porter/invalid_logout_token');
  });
});
