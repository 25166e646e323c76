// The local Campus One's academic API and the dev campus API, over real HTTP with access tokens
// from real authorization-code sign-ins at the local Campus One.
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  type Configuration,
  discovery,
  randomPKCECodeVerifier,
  randomState,
  refreshTokenGrant,
} from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEPARTMENTS, FACULTIES } from '../dev/academic-api.js';
import { startCampusApi, type CampusApi, type MyCourses } from '../dev/campus-api.js';
import { startCampusOne, type CampusOne } from '../dev/campus-one.js';
import { Browser } from './support/browser.js';
import { waitUntil } from './support/env.js';
import { chooseAccount, type AccountHandle } from './support/stack.js';

const CLIENT = { clientId: 'porter-test', clientSecret: 'porter-test-secret-0123456789' } as const;
// Nothing listens here: the browser stops at the redirect and the test redeems the code.
const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const PORTER_SCOPES = 'openid profile email academic roles offline_access';

let campusOne: CampusOne;
let campusApi: CampusApi;
let oidc: Configuration;

beforeAll(async () => {
  campusOne = await startCampusOne({
    clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [] }],
  });
  campusApi = await startCampusApi({ introspection: campusOne.introspection });
  oidc = await discovery(new URL(campusOne.discoveryUrl), CLIENT.clientId, CLIENT.clientSecret, undefined, {
    execute: [allowInsecureRequests],
  });
});

afterAll(async () => {
  await campusApi?.close();
  await campusOne?.close();
});

/** A sign-in in a fresh browser, the code redeemed as Porter would: the provider's token response. */
async function signIn(account: AccountHandle, scope = PORTER_SCOPES) {
  const codeVerifier = randomPKCECodeVerifier();
  const state = randomState();
  const url = buildAuthorizationUrl(oidc, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  });
  const atCallback = (hop: URL) => hop.href.startsWith(REDIRECT_URI);
  const browser = new Browser();
  const page = await browser.navigate(url, { stop: atCallback });
  const back = await chooseAccount(browser, page, account, atCallback);
  return authorizationCodeGrant(oidc, back.url, { pkceCodeVerifier: codeVerifier, expectedState: state });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Campus One academic API (local stand-in)', () => {
  it("serves faculties with nested departments, ordered by name, cacheable for an hour, naming the student's ids", async () => {
    const tokens = await signIn('student');
    const claims = tokens.claims();
    const calls = campusOne.counters.academicApi;

    const response = await fetch(`${campusOne.academicApiUrl}/faculties`, { headers: bearer(tokens.access_token) });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('max-age=3600');
    const { faculties } = (await response.json()) as { faculties: Array<{ id: string; name: string; departments: Array<{ id: string; name: string }> }> };

    const names = faculties.map((faculty) => faculty.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(faculties.length).toBeGreaterThanOrEqual(3);
    for (const faculty of faculties) {
      const departmentNames = faculty.departments.map((department) => department.name);
      expect(departmentNames).toEqual([...departmentNames].sort((a, b) => a.localeCompare(b, 'en')));
    }
    const faculty = faculties.find((candidate) => candidate.id === claims?.['faculty_id']);
    expect(faculty?.name).toBe('Faculty of Physical Sciences');
    expect(faculty?.departments.find((department) => department.id === claims?.['department_id'])?.name).toBe(
      'Department of Computer Science',
    );

    const flat = await fetch(`${campusOne.academicApiUrl}/departments`, { headers: bearer(tokens.access_token) });
    expect(flat.status).toBe(200);
    expect(flat.headers.get('cache-control')).toBe('max-age=3600');
    const { departments } = (await flat.json()) as { departments: Array<{ id: string; facultyId: string; facultyName: string }> };
    expect(departments).toHaveLength(faculties.reduce((sum, f) => sum + f.departments.length, 0));
    expect(departments.find((department) => department.id === claims?.['department_id'])).toMatchObject({
      name: 'Department of Computer Science',
      facultyId: claims?.['faculty_id'],
      facultyName: 'Faculty of Physical Sciences',
    });
    expect(campusOne.counters.academicApi).toBe(calls + 2);
  });

  it('exports the same catalog it serves, so other tests can name what to expect', () => {
    expect(DEPARTMENTS).toHaveLength(FACULTIES.flatMap((faculty) => faculty.departments).length);
  });

  it('answers 401 with a Bearer challenge without a token, and invalid_token for an unknown one', async () => {
    const missing = await fetch(`${campusOne.academicApiUrl}/faculties`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);

    const unknown = await fetch(`${campusOne.academicApiUrl}/departments`, { headers: bearer('c1_act_not-a-token-it-issued') });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const notBearer = await fetch(`${campusOne.academicApiUrl}/departments`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(notBearer.status).toBe(401);
  });

  it('answers 401 invalid_token once a token it accepted has expired, here and at the campus API', async () => {
    // `exp` counts from a whole second, so a 3 s token lives 2 to 3 s: time to see it work first.
    campusOne.accessTokenTtlSeconds = 3;
    const tokens = await signIn('student').finally(() => (campusOne.accessTokenTtlSeconds = 3600));
    expect(tokens.expires_in).toBe(3);
    const faculties = () => fetch(`${campusOne.academicApiUrl}/faculties`, { headers: bearer(tokens.access_token) });
    const courses = () => fetch(`${campusApi.url}/me/courses`, { headers: bearer(tokens.access_token) });
    expect((await faculties()).status).toBe(200);
    expect((await courses()).status).toBe(200);

    await waitUntil(async () => (await faculties()).status === 401, 6000);
    expect((await faculties()).headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await courses()).status).toBe(401);
  });

  it('answers 403 insufficient_scope to a valid token without the academic scope', async () => {
    const tokens = await signIn('student', 'openid profile email');
    expect(tokens.scope?.split(' ')).not.toContain('academic');

    const response = await fetch(`${campusOne.academicApiUrl}/faculties`, { headers: bearer(tokens.access_token) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="academic"');
  });

  it('answers the status a test sets while its academic API is "down", then recovers', async () => {
    const tokens = await signIn('student');
    campusOne.academicApiFailure = 503;
    try {
      expect((await fetch(`${campusOne.academicApiUrl}/faculties`, { headers: bearer(tokens.access_token) })).status).toBe(503);
    } finally {
      campusOne.academicApiFailure = null;
    }
    expect((await fetch(`${campusOne.academicApiUrl}/faculties`, { headers: bearer(tokens.access_token) })).status).toBe(200);
  });

  it('counts refresh grants at the token endpoint, refused replays included', async () => {
    const tokens = await signIn('student');
    const before = campusOne.counters.refreshGrants;

    const refreshed = await refreshTokenGrant(oidc, tokens.refresh_token ?? '');
    expect(campusOne.counters.refreshGrants).toBe(before + 1);
    // Refresh tokens rotate: replaying the used one is refused, and still reached the provider.
    await expect(refreshTokenGrant(oidc, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(campusOne.counters.refreshGrants).toBe(before + 2);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });
});

describe('dev campus API', () => {
  it('answers 401 JSON without a valid token', async () => {
    const before = campusApi.counters.unauthorized;
    const missing = await fetch(`${campusApi.url}/me/courses`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'campus/unauthenticated' } });
    const unknown = await fetch(`${campusApi.url}/me/courses`, { headers: bearer('not-a-token') });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(campusApi.counters.unauthorized).toBe(before + 2);
  });

  it("serves the signed-in student's courses, learning who calls by introspection (once for repeated calls)", async () => {
    const tokens = await signIn('student');
    const asked = campusOne.counters.introspections;

    const first = await fetch(`${campusApi.url}/me/courses`, { headers: bearer(tokens.access_token) });
    expect(first.status).toBe(200);
    const mine = (await first.json()) as MyCourses;
    expect(mine.courses.filter((course) => course.registered).map((course) => course.code)).toContain('CSC301');
    expect(mine.registeredUnits).toBe(mine.courses.filter((c) => c.registered).reduce((sum, c) => sum + c.units, 0));
    expect((await fetch(`${campusApi.url}/me/courses`, { headers: bearer(tokens.access_token) })).status).toBe(200);
    expect(campusOne.counters.introspections).toBe(asked + 1);

    // Another user's list is their own: staff have registered nothing.
    const staff = await signIn('staff');
    const theirs = (await (await fetch(`${campusApi.url}/me/courses`, { headers: bearer(staff.access_token) })).json()) as MyCourses;
    expect(theirs.courses.some((course) => course.registered)).toBe(false);
  });

  it('registers the student for a course and answers the updated list; 409 again, 404 for an unknown code', async () => {
    const tokens = await signIn('student');
    const before = (await (await fetch(`${campusApi.url}/me/courses`, { headers: bearer(tokens.access_token) })).json()) as MyCourses;
    const open = before.courses.find((course) => !course.registered);
    if (!open) throw new Error('the seeded student has no course left to register');

    const register = () =>
      fetch(`${campusApi.url}/me/courses/${open.code}/register`, { method: 'POST', headers: bearer(tokens.access_token) });
    const registered = await register();
    expect(registered.status).toBe(200);
    const after = (await registered.json()) as MyCourses;
    expect(after.courses.find((course) => course.code === open.code)?.registered).toBe(true);
    expect(after.registeredUnits).toBe(before.registeredUnits + open.units);

    const again = await register();
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'campus/already_registered' } });

    const unknown = await fetch(`${campusApi.url}/me/courses/XYZ999/register`, { method: 'POST', headers: bearer(tokens.access_token) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'campus/unknown_course' } });
  });

  it('streams a 50 MB transcript as the reader reads, never producing it ahead of a paused reader', async () => {
    const tokens = await signIn('student');
    const sentBefore = campusApi.counters.transcriptBytesSent;
    const response = await fetch(`${campusApi.url}/files/transcript.pdf?mb=50`, { headers: bearer(tokens.access_token) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const length = Number(response.headers.get('content-length'));
    expect(length).toBeGreaterThan(50 * 1024 * 1024);

    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    let received = first.value?.length ?? 0;

    // A server that buffered or ignored backpressure would have produced all 50 MB by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(campusApi.counters.transcriptBytesSent - sentBefore).toBeLessThan(25 * 1024 * 1024);

    let tail = Buffer.alloc(0);
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      received += part.value.length;
      tail = Buffer.from(part.value.subarray(-16));
    }
    expect(received).toBe(length);
    expect(tail.toString('latin1')).toMatch(/%%EOF\n$/);
    expect(campusApi.counters.transcriptBytesSent - sentBefore).toBe(length);
  });

  it('refuses transcript sizes outside 1 to 100 MB with 400', async () => {
    const tokens = await signIn('student');
    for (const mb of ['0', '101', 'lots']) {
      const response = await fetch(`${campusApi.url}/files/transcript.pdf?mb=${mb}`, { headers: bearer(tokens.access_token) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'campus/bad_size' } });
    }
  });

  it('echoes the method, path, raw query, headers and the byte count of a streamed body', async () => {
    const tokens = await signIn('student');
    const body = new Blob([new Uint8Array(3 * 1024 * 1024 + 7)]).stream();
    const response = await fetch(`${campusApi.url}/echo/a/b%2Fc?x=1&x=2&y=%20`, {
      method: 'PUT',
      headers: { ...bearer(tokens.access_token), 'x-test': 'yes' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      method: 'PUT',
      path: '/echo/a/b%2Fc',
      query: 'x=1&x=2&y=%20',
      headers: { 'x-test': 'yes', authorization: `Bearer ${tokens.access_token}` },
      bodyBytes: 3 * 1024 * 1024 + 7,
      sub: tokens.claims()?.sub,
    });
  });

  it('counts an upload streamed in', async () => {
    const tokens = await signIn('student');
    const response = await fetch(`${campusApi.url}/upload`, {
      method: 'POST',
      headers: bearer(tokens.access_token),
      body: new Blob([new Uint8Array(5 * 1024 * 1024)]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(await response.json()).toEqual({ bytes: 5 * 1024 * 1024 });
  });

  it('holds the headers of /slow for the asked time and notices a client that gives up', async () => {
    const tokens = await signIn('student');
    const started = Date.now();
    const slow = await fetch(`${campusApi.url}/slow?ms=200`, { headers: bearer(tokens.access_token) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await slow.json()).toEqual({ waitedMs: 200 });

    const { aborted, requests } = campusApi.counters;
    const controller = new AbortController();
    const pending = fetch(`${campusApi.url}/slow?ms=10000`, { headers: bearer(tokens.access_token), signal: controller.signal });
    // The client leaves once the API holds the request.
    await waitUntil(async () => campusApi.counters.requests === requests + 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitUntil(async () => campusApi.counters.aborted === aborted + 1);
  });
});
