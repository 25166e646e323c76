import { describe, expect, it, vi } from 'vitest';
import { interpretMeResponse, lookupSession, parseCookieHeader, sessionCookieHeader } from '@/lib/session';

const ME = {
  user: {
    sub: 'u1',
    name: 'Ada Okafor',
    email: 'ada@student.example',
    emailVerified: true,
    preferredUsername: 'ada',
    role: 'student',
    roles: ['student'],
    studentId: 'CSC/2021/001',
    studyLevel: 'undergraduate',
    level: 300,
    finalYear: false,
    facultyId: 'sci',
    departmentId: 'csc',
    academicSession: '2024/2025',
    semester: 'first',
  },
  session: { expiresAt: '2030-01-01T00:00:00Z', absoluteExpiresAt: '2030-01-01T08:00:00Z' },
};

const OPTIONS = { bffUrl: 'http://bff.test', timeoutMs: 2_000 };

describe('interpretMeResponse', () => {
  it('is signed in on 200 with a MeResponse', () => {
    expect(interpretMeResponse(200, ME)).toEqual({ status: 'signed-in', me: ME });
  });

  it('is anonymous on 401', () => {
    expect(interpretMeResponse(401, { error: { code: 'porter/unauthenticated', message: 'x' } })).toEqual({ status: 'anonymous' });
    expect(interpretMeResponse(401, { error: { code: 'porter/unauthenticated', message: 'x' }, signIn: { silent: true } })).toEqual({ status: 'anonymous' });
  });

  it('notes on 401 that the identity provider has no silent sign-in only when the BFF says exactly that', () => {
    const error = { code: 'porter/unauthenticated', message: 'x' };
    expect(interpretMeResponse(401, { error, signIn: { silent: false } })).toEqual({ status: 'anonymous', silentSignIn: false });
    for (const signIn of [undefined, null, {}, { silent: 'false' }, { silent: 0 }, false]) {
      expect(interpretMeResponse(401, { error, signIn })).toEqual({ status: 'anonymous' });
    }
  });

  it.each([403, 404, 500, 502, 503])('is unavailable on %i, so no page redirects to a sign-in that may not work', (status) => {
    expect(interpretMeResponse(status, undefined)).toMatchObject({ status: 'unavailable' });
  });

  it('is unavailable on 200 with a body that is not a MeResponse', () => {
    expect(interpretMeResponse(200, { user: { name: 'x' } })).toMatchObject({ status: 'unavailable' });
    expect(interpretMeResponse(200, undefined)).toMatchObject({ status: 'unavailable' });
    expect(interpretMeResponse(200, { ...ME, user: { ...ME.user, roles: 'student' } })).toMatchObject({ status: 'unavailable' });
  });
});

describe('session cookies', () => {
  it('keeps cookie values byte for byte and the first of duplicate names', () => {
    const cookies = parseCookieHeader('a=1; porter.sid=s%3Aabc.def; porter.sid=second; b=x=y');
    expect(cookies.get('porter.sid')).toBe('s%3Aabc.def');
    expect(cookies.get('b')).toBe('x=y');
  });

  it('finds no session cookie in an empty, absent or unrelated header', () => {
    expect(sessionCookieHeader(null)).toBeNull();
    expect(sessionCookieHeader('')).toBeNull();
    expect(sessionCookieHeader('c1_anon=1; theme=dark')).toBeNull();
    expect(sessionCookieHeader('porter.sid=')).toBeNull();
  });

  // Issue 10, fault 2: a stale cookie sent first must not hide the live one from the BFF.
  it('forwards every session cookie, duplicates included, in order and byte for byte, and nothing else', () => {
    expect(sessionCookieHeader('porter.sid=stale; theme=dark; porter.sid=s%3Alive.sig; __Host-porter.sid=other')).toBe(
      'porter.sid=stale; porter.sid=s%3Alive.sig; __Host-porter.sid=other',
    );
  });
});

describe('lookupSession', () => {
  it('forwards the cookie to GET {BFF_URL}/auth/me and reads the answer', async () => {
    const fetch = vi.fn(async () => Response.json(ME));
    await expect(lookupSession('porter.sid=abc', { ...OPTIONS, fetch })).resolves.toEqual({ status: 'signed-in', me: ME });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://bff.test/auth/me');
    expect(init.headers).toMatchObject({ cookie: 'porter.sid=abc', accept: 'application/json' });
    expect(init.redirect).toBe('manual');
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('sends no cookie header when asking anonymously', async () => {
    const fetch = vi.fn(async () => Response.json({ error: { code: 'porter/unauthenticated', message: 'x' } }, { status: 401 }));
    await expect(lookupSession(null, { ...OPTIONS, fetch })).resolves.toEqual({ status: 'anonymous' });
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.headers).not.toHaveProperty('cookie');
  });

  it('is unavailable, never throwing, when the BFF cannot be reached', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed', { cause: refused });
    });
    await expect(lookupSession('porter.sid=abc', { ...OPTIONS, fetch })).resolves.toEqual({
      status: 'unavailable',
      reason: '/auth/me failed: ECONNREFUSED',
    });
  });

  it('gives up after the timeout and counts the BFF as unavailable', async () => {
    // A BFF that never answers: only the abort signal ends the call.
    const fetch = vi.fn(
      (_url: string | URL | Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    const started = Date.now();
    const result = await lookupSession('porter.sid=abc', { ...OPTIONS, timeoutMs: 50, fetch });
    expect(result).toEqual({ status: 'unavailable', reason: '/auth/me did not answer within 50 ms' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('is unavailable when a 200 body is not JSON', async () => {
    const fetch = vi.fn(async () => new Response('<html>proxy error</html>', { status: 200 }));
    await expect(lookupSession('porter.sid=abc', { ...OPTIONS, fetch })).resolves.toMatchObject({ status: 'unavailable' });
  });
});
