import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  ClientSecretPost,
  type Configuration,
  discovery,
  enableNonRepudiationChecks,
  fetchUserInfo,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
  refreshTokenGrant,
} from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CampusOne, SEEDED_ACCOUNTS, startCampusOne } from '../dev/campus-one.js';

const CLIENT_ID = 'porter-test';
const CLIENT_SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:3000/';
const SCOPE = 'openid profile email academic roles offline_access';

/** The few cookie rules these flows need: one origin, so names are unique and paths ignored. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.trim().split('=');
        return (
          (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) ||
          (key.toLowerCase() === 'max-age' && Number(val) <= 0)
        );
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** One browser request: cookies sent and kept, redirects not followed. */
async function browse(jar: CookieJar, url: URL | string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('cookie', jar.header());
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

function locationOf(response: Response): URL {
  const location = response.headers.get('location');
  if (response.status !== 303 || location === null) {
    throw new Error(`expected a 303 redirect, got ${response.status}`);
  }
  return new URL(location, response.url);
}

interface AuthorizationAttempt {
  url: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

async function authorizationRequest(
  config: Configuration,
  extra: Record<string, string> = {},
): Promise<AuthorizationAttempt> {
  const codeVerifier = randomPKCECodeVerifier();
  const state = randomState();
  const nonce = randomNonce();
  const url = buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, codeVerifier, state, nonce };
}

/** Follows the provider's redirects, as a browser would, until one leads to the client. */
async function untilRedirectUri(jar: CookieJar, response: Response): Promise<URL> {
  let location = locationOf(response);
  while (!location.href.startsWith(REDIRECT_URI)) {
    location = locationOf(await browse(jar, location));
  }
  return location;
}

/**
 * Signs in the way a browser does: the authorization request redirects to the sign-in page,
 * the account's button posts `account=<handle>` to `<page>/login`, and redirects lead back to
 * the client with a code.
 */
async function signIn(config: Configuration, jar: CookieJar, handle: string, options: { extra?: Record<string, string>; signedInAgoS?: number } = {}) {
  const attempt = await authorizationRequest(config, options.extra);
  const signInPage = locationOf(await browse(jar, attempt.url));
  const callback = await untilRedirectUri(
    jar,
    await browse(jar, new URL(`${signInPage.pathname}/login`, signInPage), {
      method: 'POST',
      body: new URLSearchParams({ account: handle, ago: String(options.signedInAgoS ?? 0) }),
    }),
  );
  const tokens = await authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: attempt.codeVerifier,
    expectedState: attempt.state,
    expectedNonce: attempt.nonce,
  });
  return { tokens, claims: tokens.claims() };
}

describe('Campus One stand-in', () => {
  const logoutTokens: string[] = [];
  let receiver: Server;
  let campusOne: CampusOne;
  let config: Configuration;

  beforeAll(async () => {
    // The app's back-channel logout endpoint: a real listener that records what it receives.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;

    campusOne = await startCampusOne({
      clients: [
        {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUris: [REDIRECT_URI],
          postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI],
          backchannelLogoutUri: `http://127.0.0.1:${port}/auth/backchannel-logout`,
        },
      ],
    });
    config = await discovery(new URL(campusOne.discoveryUrl), CLIENT_ID, CLIENT_SECRET, undefined, {
      execute: [allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await campusOne?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('serves discovery under /api/auth with the bare origin as issuer', async () => {
    expect(campusOne.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(campusOne.discoveryUrl).toBe(`${campusOne.issuer}/api/auth/.well-known/openid-configuration`);

    const metadata = (await (await fetch(campusOne.discoveryUrl)).json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe(campusOne.issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(metadata[endpoint]).toMatch(new RegExp(`^${campusOne.issuer}/api/auth/`));
    }
    expect(metadata['code_challenge_methods_supported']).toEqual(['S256']);
    expect(metadata['response_types_supported']).toEqual(['code']);
    expect(metadata['id_token_signing_alg_values_supported']).toEqual(['RS256']);
    expect(metadata['backchannel_logout_supported']).toBe(true);
    expect(metadata['token_endpoint_auth_methods_supported']).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(metadata['scopes_supported']).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'academic', 'roles', 'offline_access', 'calendar', 'notifications', 'events']),
    );

    // Like Campus One, nothing is served at {issuer}/.well-known.
    expect((await fetch(`${campusOne.issuer}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('seeds a student, a staff member and an admin with opaque subjects', () => {
    expect(SEEDED_ACCOUNTS.map((account) => [account.id, account.role, account.roles])).toEqual([
      ['student', 'student', ['student']],
      ['staff', 'staff', ['staff']],
      ['admin', 'admin', ['admin', 'staff']],
    ]);
    const student = SEEDED_ACCOUNTS[0];
    expect(student?.academic?.student_id).toBe('CSC/2021/042');
    expect(student?.sub).not.toContain(student?.academic?.student_id);
    expect(campusOne.accounts).toBe(SEEDED_ACCOUNTS);
  });

  it('shows a sign-in page with a button per account', async () => {
    const jar = new CookieJar();
    const signInPage = locationOf(await browse(jar, (await authorizationRequest(config)).url));
    expect(signInPage.pathname).toMatch(/^\/interaction\/[\w-]+$/);

    const html = await (await browse(jar, signInPage)).text();
    expect(html).toContain(`<form method="post" action="${signInPage.pathname}/login">`);
    for (const handle of ['student', 'staff', 'admin']) {
      expect(html).toContain(`name="account" value="${handle}"`);
    }
  });

  it('answers login_required to prompt=none without a Campus One session', async () => {
    const { url, state } = await authorizationRequest(config, { prompt: 'none' });
    const callback = locationOf(await browse(new CookieJar(), url));

    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('signs the student in with the code flow and PKCE, with role, academic claims and sid in the id_token', async () => {
    const student = SEEDED_ACCOUNTS[0];
    const { tokens, claims } = await signIn(config, new CookieJar(), 'student');

    expect(claims).toMatchObject({
      iss: campusOne.issuer,
      aud: CLIENT_ID,
      sub: student?.sub,
      role: 'student',
      roles: ['student'],
      name: student?.name,
      email: student?.email,
      student_id: 'CSC/2021/042',
      level: 300,
      academic_session: '2025/2026',
      semester: 'harmattan',
    });
    expect(claims?.['sid']).toEqual(expect.any(String));
    expect(claims && claims.exp - claims.iat).toBe(3600);
    expect(tokens.expires_in).toBe(3600);
    expect(decodeProtectedHeader(tokens.id_token ?? '').kid).toBe(campusOne.signingKey.kid);

    const userinfo = await fetchUserInfo(config, tokens.access_token, student?.sub ?? '');
    expect(userinfo).toMatchObject({ role: 'student', roles: ['student'], student_id: 'CSC/2021/042' });
  });

  it('issues a refresh token for offline_access and refreshes with it', async () => {
    const { tokens } = await signIn(config, new CookieJar(), 'student');
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()).toMatchObject({ role: 'student', student_id: 'CSC/2021/042' });
  });

  it('returns a code to prompt=none, with no page, when the visitor has a Campus One session', async () => {
    const jar = new CookieJar();
    const first = await signIn(config, jar, 'student');

    const attempt = await authorizationRequest(config, { prompt: 'none' });
    const callback = locationOf(await browse(jar, attempt.url));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));

    const silent = await authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
    });
    expect(silent.claims()).toMatchObject({ sub: first.claims?.sub, role: 'student', sid: first.claims?.['sid'] });
    // prompt=none cannot carry consent, so offline_access is dropped (OpenID Connect Core §11).
    expect(silent.refresh_token).toBeUndefined();
  });

  it('puts auth_time in every id_token, dated as the sign-in page says', async () => {
    const { claims } = await signIn(config, new CookieJar(), 'student', { signedInAgoS: 15 * 60 });
    const now = Math.floor(Date.now() / 1000);
    expect(claims?.auth_time).toBeGreaterThanOrEqual(now - 15 * 60 - 5);
    expect(claims?.auth_time).toBeLessThanOrEqual(now - 15 * 60);
  });

  it.each([{ prompt: 'login' }, { max_age: '0' }])('asks a person with a Campus One session to sign in again for %o, and keeps offline_access', async (extra) => {
    const jar = new CookieJar();
    const first = await signIn(config, jar, 'student', { signedInAgoS: 15 * 60 });
    const attempt = await authorizationRequest(config, extra);
    const page = await browse(jar, locationOf(await browse(jar, attempt.url)));
    // The sign-in page itself, not the consent step that a kept session passes through unseen.
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign in to Campus One');
    const callback = await untilRedirectUri(
      jar,
      await browse(jar, new URL(`${new URL(page.url).pathname}/login`, page.url), { method: 'POST', body: new URLSearchParams({ account: 'student', ago: '0' }) }),
    );
    const again = await authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      maxAge: 30,
    });
    expect(again.claims()?.auth_time).toBeGreaterThan(first.claims?.auth_time ?? Infinity);
    expect(again.refresh_token).toEqual(expect.any(String));
  });

  it('refuses an authorization request without a code_challenge', async () => {
    const url = buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: SCOPE, state: 'no-pkce' });
    const callback = locationOf(await browse(new CookieJar(), url));

    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('signs the admin in with roles admin and staff, accepting client_secret_post', async () => {
    const postConfig = await discovery(
      new URL(campusOne.discoveryUrl),
      CLIENT_ID,
      undefined,
      ClientSecretPost(CLIENT_SECRET),
      { execute: [allowInsecureRequests] },
    );
    const { claims } = await signIn(postConfig, new CookieJar(), 'admin');

    expect(claims).toMatchObject({ sub: SEEDED_ACCOUNTS[2]?.sub, role: 'admin', roles: ['admin', 'staff'] });
    expect(claims).not.toHaveProperty('student_id');
  });

  it('ends the session at the end_session endpoint and posts a back-channel logout token', async () => {
    const jar = new CookieJar();
    const { tokens, claims } = await signIn(config, jar, 'student');
    const endSession = config.serverMetadata().end_session_endpoint;
    expect(endSession).toBe(`${campusOne.issuer}/api/auth/session/end`);

    const logoutUrl = new URL(endSession ?? '');
    logoutUrl.search = new URLSearchParams({
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: 'bye',
    }).toString();
    const confirmation = await browse(jar, logoutUrl);
    expect(confirmation.status).toBe(200);
    const html = await confirmation.text();
    expect(html).toContain('>Sign out</button>');
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];

    const received = logoutTokens.length;
    const done = locationOf(
      await browse(jar, action ?? '', { method: 'POST', body: new URLSearchParams({ xsrf: xsrf ?? '', logout: 'yes' }) }),
    );
    expect(done.href).toBe(`${POST_LOGOUT_REDIRECT_URI}?state=bye`);

    // The provider answers only after the back-channel POST has been delivered.
    expect(logoutTokens).toHaveLength(received + 1);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    const { payload, protectedHeader } = await jwtVerify(logoutTokens.at(-1) ?? '', jwks, {
      issuer: campusOne.issuer,
      audience: CLIENT_ID,
      typ: 'logout+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: claims?.sub,
      sid: claims?.['sid'],
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });

    const { url } = await authorizationRequest(config, { prompt: 'none' });
    expect(locationOf(await browse(jar, url)).searchParams.get('error')).toBe('login_required');
  });

  it('hands tests its signing key, which the JWKS verifies', async () => {
    const { alg, kid, privateKey } = campusOne.signingKey;
    const token = await new SignJWT({ sid: 'forged-by-the-test' })
      .setProtectedHeader({ alg, kid })
      .setIssuer(campusOne.issuer)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    await expect(jwtVerify(token, jwks, { issuer: campusOne.issuer })).resolves.toBeDefined();
  });

  it('signs with a fresh key after rotateKeys and keeps the old key in the JWKS', async () => {
    const jar = new CookieJar();
    await signIn(config, jar, 'staff');
    const oldKid = campusOne.signingKey.kid;

    await campusOne.rotateKeys();
    const newKid = campusOne.signingKey.kid;
    expect(newKid).not.toBe(oldKid);

    const jwks = (await (await fetch(config.serverMetadata().jwks_uri ?? '')).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid).slice(0, 2)).toEqual([newKid, oldKid]);

    // The Campus One session survives the rotation: a silent sign-in gets a new-key id_token.
    const attempt = await authorizationRequest(config, { prompt: 'none' });
    const tokens = await authorizationCodeGrant(config, locationOf(await browse(jar, attempt.url)), {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
    });
    expect(decodeProtectedHeader(tokens.id_token ?? '').kid).toBe(newKid);
    expect(tokens.claims()).toMatchObject({ role: 'staff', roles: ['staff'] });
  });
});

describe('Campus One stand-in with EdDSA id_tokens', () => {
  let campusOne: CampusOne;

  beforeAll(async () => {
    campusOne = await startCampusOne({
      idTokenAlg: 'EdDSA',
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [] }],
    });
  });

  afterAll(async () => {
    await campusOne?.close();
  });

  it('signs id_tokens with EdDSA, and openid-client verifies them against the JWKS', async () => {
    const config = await discovery(new URL(campusOne.discoveryUrl), CLIENT_ID, CLIENT_SECRET, undefined, {
      execute: [allowInsecureRequests],
    });
    // Without this openid-client trusts the TLS-less token response and skips the signature.
    enableNonRepudiationChecks(config);
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual(['EdDSA']);

    const { tokens, claims } = await signIn(config, new CookieJar(), 'student');
    expect(decodeProtectedHeader(tokens.id_token ?? '')).toMatchObject({ alg: 'EdDSA', kid: campusOne.signingKey.kid });
    expect(claims).toMatchObject({ role: 'student', level: 300 });
  });
});

describe('Campus One stand-in named by another host than the one it listens on', () => {
  let campusOne: CampusOne;

  beforeAll(async () => {
    // As in the Compose dev profile: it listens on one address and is reached as localhost.
    campusOne = await startCampusOne({
      host: '127.0.0.1',
      issuerHost: 'localhost',
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [] }],
    });
  });

  afterAll(async () => {
    await campusOne?.close();
  });

  it('names itself by issuerHost in discovery', async () => {
    const { port } = new URL(campusOne.issuer);
    expect(campusOne.issuer).toBe(`http://localhost:${port}`);
    // Endpoints follow the Host a request names; the issuer does not.
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/.well-known/openid-configuration`);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(campusOne.issuer);
  });
});
