import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

describe('lookupSession, against a real HTTP server', () => {
  type Answer = (request: IncomingMessage, response: ServerResponse) => void;
  let answer: Answer = (_request, response) => response.end();
  const received: IncomingMessage[] = [];
  const connections = new Set<string>();
  let server: Server;
  let bffUrl = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(request);
      connections.add(`${request.socket.remotePort}`);
      answer(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bffUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    connections.clear();
  });

  const json = (status: number, body: unknown): Answer => (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  it('forwards the cookie to GET {BFF_URL}/auth/me and reads the answer, reusing one connection', async () => {
    answer = json(200, ME);
    for (let i = 0; i < 3; i += 1) {
      await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 2_000 })).resolves.toEqual({ status: 'signed-in', me: ME });
    }
    expect(received.map((request) => [request.method, request.url])).toEqual(Array(3).fill(['GET', '/auth/me']));
    expect(received[0]?.headers).toMatchObject({ cookie: 'porter.sid=abc', accept: 'application/json' });
    expect(connections.size).toBe(1);
  });

  it('sends no cookie header when asking anonymously', async () => {
    answer = json(401, { error: { code: 'porter/unauthenticated', message: 'x' } });
    await expect(lookupSession(null, { bffUrl, timeoutMs: 2_000 })).resolves.toEqual({ status: 'anonymous' });
    expect(received[0]?.headers).not.toHaveProperty('cookie');
  });

  it('is unavailable, never throwing, when the BFF cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(lookupSession('porter.sid=abc', { bffUrl: `http://127.0.0.1:${port}`, timeoutMs: 2_000 })).resolves.toEqual({
      status: 'unavailable',
      reason: '/auth/me failed: ECONNREFUSED',
    });
  });

  it('gives up after the timeout and counts the BFF as unavailable', async () => {
    // A BFF that never answers: only the timeout ends the call.
    answer = () => {};
    const started = Date.now();
    const result = await lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 50 });
    expect(result).toEqual({ status: 'unavailable', reason: '/auth/me did not answer within 50 ms' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up after the timeout when the BFF stops in the middle of its answer', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"user":');
    };
    await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 50 })).resolves.toMatchObject({ status: 'unavailable' });
  });

  it("never lets a finished lookup's timeout end a later lookup on the same connection", async () => {
    // The first answers at once; the second, on the same kept-alive connection, is still waiting
    // for its answer when the first one's timeout comes.
    answer = json(200, ME);
    await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 100 })).resolves.toEqual({ status: 'signed-in', me: ME });
    answer = (request, response) => setTimeout(() => json(200, ME)(request, response), 150);
    await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 1_000 })).resolves.toEqual({ status: 'signed-in', me: ME });
    expect(connections.size).toBe(1);
  });

  it('is unavailable when a 200 body is not JSON, or an error status', async () => {
    answer = (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
    await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 2_000 })).resolves.toMatchObject({ status: 'unavailable' });
    answer = json(503, { error: { code: 'porter/store_unavailable', message: 'x' } });
    await expect(lookupSession('porter.sid=abc', { bffUrl, timeoutMs: 2_000 })).resolves.toEqual({
      status: 'unavailable',
      reason: '/auth/me answered 503',
    });
  });
});
