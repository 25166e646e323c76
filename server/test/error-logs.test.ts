import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startStack, type Stack } from './support/stack.js';

/*
 * Issue 10, fault 7: anyone can send requests that are refused; each once cost a warning with a
 * full stack trace (about 1.5 KB). Expected client errors are one short line at debug; only a
 * 5xx carries a stack.
 */

interface LogLine {
  level: number;
  code?: string;
  status?: number;
  msg: string;
  err?: { stack?: string };
}

const lines: string[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
const DEBUG = 20;
const ERROR = 50;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ log });
});
afterAll(() => stack.close());

/** The log lines a request wrote, parsed, with their raw length. */
async function logOf(request: () => Promise<Response>): Promise<{ status: number; logged: Array<LogLine & { bytes: number }> }> {
  const before = lines.length;
  const response = await request();
  await response.arrayBuffer();
  const logged = lines.slice(before).map((line) => ({ ...(JSON.parse(line) as LogLine), bytes: Buffer.byteLength(line) }));
  return { status: response.status, logged };
}

const app = (path: string) => `${stack.appUrl}${path}`;

describe('logs of refused requests', () => {
  it.each([
    ['an anonymous admin read', () => fetch(app('/api/admin/reports'), { headers: { accept: 'application/json' } }), 401, 'porter/unauthenticated'],
    ['a sign-out without the CSRF header', () => fetch(app('/auth/logout'), { method: 'POST' }), 403, 'porter/csrf_required'],
    ['a callback with no state', () => fetch(app('/auth/callback?code=x'), { headers: { accept: 'application/json' } }), 400, 'porter/invalid_state'],
    ['a bad back-channel logout token', () => fetch(app('/auth/backchannel-logout'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'logout_token=junk' }), 400, 'porter/invalid_logout_token'],
    ['a URL that is not percent-encoded properly', () => fetch(app('/api/admin/users/%ZZ/sessions'), { headers: { accept: 'application/json' } }), 400, 'porter/bad_request'],
  ])('logs %s as one debug line with its code and no stack', async (_label, request, status, code) => {
    const { status: answered, logged } = await logOf(request);
    expect(answered).toBe(status);
    // Besides the request log's own line for it (issue 12), short and without a stack too.
    const [requestLine, ...more] = logged.filter((line) => line.msg === 'request');
    expect(more).toHaveLength(0);
    expect(requestLine).toMatchObject({ code, res: { status } });
    expect(requestLine?.bytes).toBeLessThan(400);
    const errors = logged.filter((line) => line.code !== undefined && line.msg !== 'request');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: DEBUG, code, status });
    expect(errors[0]?.err).toBeUndefined();
    expect(JSON.stringify(errors[0])).not.toMatch(/\n\s+at /);
    expect(errors[0]?.bytes).toBeLessThan(400);
  });

  it('logs a 5xx at error with the stack of its cause', async () => {
    const down = await startStack({ log });
    try {
      await down.provider.close();
      const { status, logged } = await logOf(() => new Browser().fetch(`${down.appUrl}/auth/login`));
      expect(status).toBe(503);
      const failure = logged.find((line) => line.code === 'porter/provider_unavailable' && line.level === ERROR);
      expect(failure?.err?.stack).toMatch(/\n\s+at /);
    } finally {
      await down.close();
    }
  });
});

describe('a URL that cannot be percent-decoded', () => {
  it('answers 400 porter/bad_request saying the URL is malformed, not the body', async () => {
    const response = await fetch(app('/api/admin/users/%ZZ/sessions'), { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('porter/bad_request');
    expect(body.error.message).toMatch(/URL/);
    expect(body.error.message).not.toMatch(/body/);
  });
});
