import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminReport, PeopleSearchResponse, UserSessionsResponse } from '@porter/shared';
import { redisUrl, waitUntil } from './support/env.js';
import { sessionIdOf } from './support/session.js';
import { Browser, signIn, signedInBrowser, startStack, subOf, type AccountHandle, type Stack } from './support/stack.js';
import { errorCode } from './support/errors.js';

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

const sub = (handle: AccountHandle) => subOf(stack, handle);
const json = { accept: 'application/json' };

const signedIn = (handle: AccountHandle, on: Stack = stack) => signedInBrowser(on, handle);

const sessionsUrl = (sub: string, on: Stack = stack) => `${on.appUrl}/api/admin/users/${encodeURIComponent(sub)}/sessions`;
const listSessions = async (admin: Browser, sub: string, on: Stack = stack) =>
  (await (await admin.fetch(sessionsUrl(sub, on), { headers: json })).json()) as UserSessionsResponse;
const revoke = (admin: Browser, sub: string, headers: Record<string, string> = { 'x-csrf': '1' }) =>
  admin.fetch(sessionsUrl(sub), { method: 'DELETE', headers: { ...json, ...headers } });

describe('the role gate', () => {
  it('answers 401 JSON to GET /api/admin/reports without a session', async () => {
    const response = await new Browser().fetch(`${stack.appUrl}/api/admin/reports`, { headers: json });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('porter/unauthenticated');
  });

  it('answers 403 JSON to a signed-in student', async () => {
    const response = await (await signedIn('student')).fetch(`${stack.appUrl}/api/admin/reports`, { headers: json });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('porter/forbidden');
  });

  it('serves the reports to staff and to admins, never cached', async () => {
    for (const handle of ['staff', 'admin'] as const) {
      const response = await (await signedIn(handle)).fetch(`${stack.appUrl}/api/admin/reports`, { headers: json });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(((await response.json()) as AdminReport).days).toHaveLength(14);
    }
  });

  it('keeps the session admin API to admins', async () => {
    const staff = await signedIn('staff');
    expect((await staff.fetch(sessionsUrl(sub('student')), { headers: json })).status).toBe(403);
    expect((await revoke(staff, sub('student'))).status).toBe(403);
    expect((await new Browser().fetch(sessionsUrl(sub('student')), { headers: json })).status).toBe(401);
  });
});

describe('the session admin API', () => {
  it('lists a user’s sessions with creation, last activity and expiry, and no token or session id', async () => {
    const students = [await signedIn('student'), await signedIn('student')];
    const admin = await signedIn('admin');
    const response = await admin.fetch(sessionsUrl(sub('student')), { headers: json });
    const text = await response.text();
    const body = JSON.parse(text) as UserSessionsResponse;
    expect(body.sub).toBe(sub('student'));
    expect(body.sessions.length).toBeGreaterThanOrEqual(2);
    for (const session of body.sessions) {
      expect(session.role).toBe('student');
      for (const time of [session.createdAt, session.lastSeenAt, session.expiresAt, session.absoluteExpiresAt]) {
        expect(Date.parse(time)).not.toBeNaN();
      }
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    }
    expect(text).not.toMatch(/eyJ|token/i);
    for (const student of students) expect(text).not.toContain(sessionIdOf(student, stack));
  });

  it('revokes every session of a user, on X-CSRF only', async () => {
    const staff = [await signedIn('staff'), await signedIn('staff')];
    const admin = await signedIn('admin');
    const refused = await revoke(admin, sub('staff'), {});
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe('porter/csrf_required');
    for (const browser of staff) expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(200);

    const response = await revoke(admin, sub('staff'));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(2);
    for (const browser of staff) expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(401);
    expect((await listSessions(admin, sub('staff'))).sessions).toEqual([]);
    expect(await redis.zcard(`${stack.instances[0]!.config.redis.prefix}user-sessions:${sub('staff')}`)).toBe(0);
  });

  it('drops a session from the index when it signs out', async () => {
    const admin = await signedIn('admin');
    // Starts from no student session, whatever the tests before left.
    await revoke(admin, sub('student'));
    const [leaving, staying] = [await signedIn('student'), await signedIn('student')];
    await leaving.fetch(`${stack.appUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect((await listSessions(admin, sub('student'))).sessions).toHaveLength(1);
    const index = `${stack.instances[0]!.config.redis.prefix}user-sessions:${sub('student')}`;
    expect(await redis.zrange(index, 0, -1)).toEqual([sessionIdOf(staying, stack)]);
  });

  it('drops the previous session from the index when the same browser signs in again', async () => {
    const admin = await signedIn('admin');
    // Starts from no staff session, whatever the tests before left.
    await revoke(admin, sub('staff'));
    const browser = await signedIn('staff');
    const before = sessionIdOf(browser, stack);
    await signIn(browser, stack, 'staff');
    expect(sessionIdOf(browser, stack)).not.toBe(before);
    const index = `${stack.instances[0]!.config.redis.prefix}user-sessions:${sub('staff')}`;
    expect(await redis.zrange(index, 0, -1)).toEqual([sessionIdOf(browser, stack)]);
    expect((await listSessions(admin, sub('staff'))).sessions).toHaveLength(1);
  });

  it('answers 400 JSON to an absurd user id', async () => {
    const admin = await signedIn('admin');
    const response = await admin.fetch(sessionsUrl('x'.repeat(300)), { headers: json });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('porter/bad_request');
  });
});

describe('finding people (GET /api/admin/users?q=)', () => {
  const search = async (browser: Browser, q: string) => browser.fetch(`${stack.appUrl}/api/admin/users?q=${encodeURIComponent(q)}`, { headers: json });
  const found = async (browser: Browser, q: string) => ((await (await search(browser, q)).json()) as PeopleSearchResponse).people;

  it('finds a person with live sessions by email, name or a word of the name, any case, with their session count', async () => {
    await signedIn('student');
    const admin = await signedIn('admin');
    for (const q of ['chiamaka.okonkwo@', 'Chiamaka', 'OKON', 'chiamaka okonkwo']) {
      const people = await found(admin, q);
      const student = people.find((person) => person.sub === sub('student'));
      expect(student, q).toMatchObject({ name: 'Chiamaka Okonkwo', email: 'chiamaka.okonkwo@students.campus.example', role: 'student' });
      expect(student?.sessions).toBeGreaterThanOrEqual(1);
    }
    expect(await found(admin, 'zzz-nobody')).toEqual([]);
    expect(await found(admin, '   ')).toEqual([]);
  });

  it('leaves out people whose sessions have all ended', async () => {
    const admin = await signedIn('admin');
    await signedIn('staff');
    expect((await found(admin, 'ibrahim')).map((person) => person.sub)).toContain(sub('staff'));
    await revoke(admin, sub('staff'));
    expect((await found(admin, 'ibrahim')).map((person) => person.sub)).not.toContain(sub('staff'));
  });

  it('is for admins only, and refuses an absurd query', async () => {
    expect((await search(await signedIn('staff'), 'chiamaka')).status).toBe(403);
    expect((await search(new Browser(), 'chiamaka')).status).toBe(401);
    const response = await search(await signedIn('admin'), 'x'.repeat(101));
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('porter/bad_request');
  });
});

describe('the session index after expiry', () => {
  it('forgets a session whose idle time ran out in Redis', async () => {
    const short = await startStack({ env: { SESSION_IDLE_TIMEOUT_MS: '1500', SESSION_TOUCH_INTERVAL_MS: '500' } });
    try {
      const student = await signedIn('student', short);
      const { prefix } = short.instances[0]!.config.redis;
      await waitUntil(async () => (await redis.exists(`${prefix}sess:${sessionIdOf(student, short)}`)) === 0);
      const admin = await signedIn('admin', short);
      expect((await listSessions(admin, sub('student'), short)).sessions).toEqual([]);
      expect(await redis.zcard(`${prefix}user-sessions:${sub('student')}`)).toBe(0);
    } finally {
      await short.close();
    }
  });
});
