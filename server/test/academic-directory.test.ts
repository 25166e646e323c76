// GET /api/academic/directory: Campus One's faculty and department names, read with the user's
// access token from the real local Campus One, cached in the real Redis once for two instances.
import type { AcademicDirectory } from '@porter/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { DIRECTORY_FRESH_MS } from '../src/oidc/academic-directory.js';
import { createKeys } from '../src/store/keys.js';
import { errorCode } from './support/errors.js';
import { Browser, signedInBrowser, startStack, type Stack } from './support/stack.js';

let stack: Stack;
let student: Browser;

beforeAll(async () => {
  stack = await startStack({ instances: 2 });
  student = await signedInBrowser(stack, 'student');
});

afterAll(async () => {
  await stack?.close();
});

/** A cold cache, Campus One up, both clocks true: each test starts from here. */
beforeEach(async () => {
  const keys = createKeys(stack.instances[0]?.config.redis.prefix ?? '');
  const kv = stack.instances[0]?.kv;
  await kv?.del(keys.academicDirectory());
  await kv?.del(keys.academicDirectoryRetry());
  stack.provider.academicApiFailure = null;
  for (const instance of stack.instances) instance.clock.offsetMs = 0;
});

const directoryAt = (instance: number, browser = student) =>
  browser.fetch(`${stack.instances[instance]?.origin}/api/academic/directory`, { headers: { accept: 'application/json' } });

const setClocks = (offsetMs: number) => {
  for (const instance of stack.instances) instance.clock.offsetMs = offsetMs;
};

function namesIn(directory: AcademicDirectory) {
  const faculty = directory.faculties.find((f) => f.id === 'faculty-physical-sciences');
  return { faculty: faculty?.name, department: faculty?.departments.find((d) => d.id === 'department-computer-science')?.name };
}

describe('GET /api/academic/directory', () => {
  it("answers the names behind the student's faculty and department ids", async () => {
    const response = await directoryAt(0);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const directory = (await response.json()) as AcademicDirectory;
    expect(namesIn(directory)).toEqual({ faculty: 'Faculty of Physical Sciences', department: 'Department of Computer Science' });
    expect(directory.stale).toBe(false);
  });

  it('makes ONE call to Campus One for 50 concurrent requests on two instances with a cold cache', async () => {
    const calls = stack.provider.counters.academicApi;

    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => directoryAt(i % 2)));

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as AcademicDirectory[];
    for (const body of bodies) expect(namesIn(body).department).toBe('Department of Computer Science');
    expect(stack.provider.counters.academicApi).toBe(calls + 1);

    // Within the hour, nobody asks Campus One again.
    setClocks(DIRECTORY_FRESH_MS - 60_000);
    expect((await directoryAt(1)).status).toBe(200);
    expect(stack.provider.counters.academicApi).toBe(calls + 1);
  });

  it('answers the last good copy marked stale when Campus One fails, and does not ask again at once', async () => {
    const first = (await (await directoryAt(0)).json()) as AcademicDirectory;
    setClocks(DIRECTORY_FRESH_MS + 60_000);
    stack.provider.academicApiFailure = 503;
    const calls = stack.provider.counters.academicApi;

    const stale = await directoryAt(1);
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual({ ...first, stale: true });
    expect(stack.provider.counters.academicApi).toBe(calls + 1);

    // The failure is remembered by every instance for a while: no call each request.
    expect(((await (await directoryAt(0)).json()) as AcademicDirectory).stale).toBe(true);
    expect(stack.provider.counters.academicApi).toBe(calls + 1);
  });

  it('answers 503 porter/academic_unavailable when Campus One fails and no copy exists', async () => {
    stack.provider.academicApiFailure = 500;

    const response = await directoryAt(0);
    expect(response.status).toBe(503);
    expect(await errorCode(response)).toBe('porter/academic_unavailable');
  });

  it('refreshes a due access token first, through the existing refresh', async () => {
    // A session of its own, whose hour-long access token no earlier test has refreshed.
    const browser = await signedInBrowser(stack, 'student');
    const grants = stack.provider.counters.refreshGrants;
    const calls = stack.provider.counters.academicApi;
    // Porter's clock says that token is about to expire.
    setClocks(60 * 60_000 - 30_000);

    const response = await directoryAt(0, browser);
    expect(response.status).toBe(200);
    expect(stack.provider.counters.refreshGrants).toBe(grants + 1);
    expect(stack.provider.counters.academicApi).toBe(calls + 1);
  });

  it('answers 401 JSON without a session, and never calls Campus One for it', async () => {
    const calls = stack.provider.counters.academicApi;
    const response = await directoryAt(0, new Browser());
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('porter/unauthenticated');
    expect(stack.provider.counters.academicApi).toBe(calls);
  });

  it('leaves /auth/me alone: it never calls the academic API', async () => {
    const calls = stack.provider.counters.academicApi;
    const me = await student.fetch(`${stack.appUrl}/auth/me`, { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(stack.provider.counters.academicApi).toBe(calls);
  });

  // Stops the local Campus One: keep it last.
  it('answers the last copy, stale, when Campus One cannot renew a due access token', async () => {
    const browser = await signedInBrowser(stack, 'student');
    const first = (await (await directoryAt(0, browser)).json()) as AcademicDirectory;
    // The copy is past its hour, and so is this session's access token: it must be renewed first.
    setClocks(DIRECTORY_FRESH_MS + 60_000);
    await stack.provider.close();

    const response = await directoryAt(1, browser);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...first, stale: true });
  });
});
