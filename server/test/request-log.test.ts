import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, webhookEvent } from '../dev/webhooks.js';
import { createSealer } from '../src/crypto/sealer.js';
import { createLogger } from '../src/log.js';
import type { StoredTokens } from '../src/session/data.js';
import { createKeys } from '../src/store/keys.js';
import { redisUrl } from './support/env.js';
import { sessionIdOf } from './support/session.js';
import { Browser, SESSION_SECRET, signIn, startStack, subOf, type Stack } from './support/stack.js';

const WEBHOOK_SECRET = 'request-log-webhook-secret';

/** Everything both instances logged, at debug, through the production logger's configuration. */
const lines: string[] = [];
const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
  stack = await startStack({
    instances: 2,
    log,
    env: { CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET },
    // The second instance trusts no proxy on loopback.
    instanceEnv: [{}, { TRUST_PROXY: '192.0.2.1' }],
  });
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await stack.close();
});

const [A, B] = [0, 1];
const origin = (instance: number) => stack.instances[instance]!.origin;

describe('request logs', () => {
  it('logs one line per request with its id, and never a token, cookie, code, state or session id', async () => {
    const browser = new Browser();
    const done = await signIn(browser, stack, 'student');
    const callback = done.hops.find((hop) => hop.pathname === '/auth/callback');
    const code = callback?.searchParams.get('code');
    const state = callback?.searchParams.get('state');
    expect(code).toBeTruthy();
    expect(state).toBeTruthy();
    const sessionId = sessionIdOf(browser, stack);
    const instance = stack.instances[A]!;
    const stored = JSON.parse((await redis.get(createKeys(instance.config.redis.prefix).session(sessionId))) ?? '{}') as { tokens: string };
    const tokens = await createSealer([SESSION_SECRET], 'tokens').open<StoredTokens>(stored.tokens);
    if (!tokens) throw new Error('the session holds no tokens');
    const me = await browser.fetch(`${origin(A)}/auth/me`, { headers: { authorization: 'Bearer should-not-be-logged' } });
    expect(me.status).toBe(200);
    const meId = me.headers.get('x-request-id');
    expect(meId).toMatch(/^[0-9a-f-]{36}$/);
    const hook = `${origin(A)}/webhooks/campus-one`;
    expect((await deliverWebhook(hook, WEBHOOK_SECRET, webhookEvent('user.updated', { user_id: subOf(stack, 'student'), name: 'Chiamaka O.' }))).status).toBe(200);
    const out = await browser.fetch(`${origin(A)}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(out.status).toBe(200);

    const all = lines.join('\n');
    const secrets = {
      code,
      state,
      sessionId,
      cookie: browser.cookieHeader(new URL(origin(A))),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      sealedTokens: stored.tokens,
      authorization: 'should-not-be-logged',
      webhookSecret: WEBHOOK_SECRET,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret, name).toBeTruthy();
      expect(all.includes(String(secret)), `${name} is in the log`).toBe(false);
    }

    const requests = logged().filter((line) => line.msg === 'request');
    const callbackLine = requests.find((line) => (line.req as { group: string }).group === 'callback');
    expect(callbackLine).toMatchObject({ level: 30, req: { method: 'GET', path: '/auth/callback', group: 'callback' }, res: { status: 302 } });
    expect(typeof callbackLine?.durationMs).toBe('number');
    expect(callbackLine?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Answered before Express: logged at debug, with the id it answered with.
    expect(requests.find((line) => line.requestId === meId)).toMatchObject({ level: 20, req: { path: '/auth/me', group: 'me' }, res: { status: 200 } });
    expect(requests.find((line) => (line.req as { group: string }).group === 'webhooks')).toMatchObject({ level: 30, res: { status: 200 } });
  });

  it('logs an error answer with its code, under the request id echoed to the client', async () => {
    const response = await fetch(`${origin(A)}/api/admin/reports`);
    expect(response.status).toBe(401);
    const id = response.headers.get('x-request-id');
    const line = logged().find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ code: 'porter/unauthenticated', res: { status: 401 } });
    expect(logged().filter((l) => l.requestId === id && l.code === 'porter/unauthenticated')).toHaveLength(2);
  });

  it('keeps the X-Request-Id of a trusted proxy, and replaces one from anyone else', async () => {
    const headers = { 'x-request-id': 'lb-4f1c9a' };
    expect((await fetch(`${origin(A)}/healthz`, { headers })).headers.get('x-request-id')).toBe('lb-4f1c9a');
    const untrusted = (await fetch(`${origin(B)}/healthz`, { headers })).headers.get('x-request-id');
    expect(untrusted).not.toBe('lb-4f1c9a');
    expect(untrusted).toMatch(/^[0-9a-f-]{36}$/);
    const forged = (await fetch(`${origin(A)}/healthz`, { headers: { 'x-request-id': 'a"} {"level":60' } })).headers.get('x-request-id');
    expect(forged).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the /auth/me shortcut at info', () => {
  it('logs nothing and adds no header', async () => {
    const quiet: string[] = [];
    const info = await startStack({ log: createLogger('info', { write: (line: string) => void quiet.push(line) }) });
    try {
      const browser = new Browser();
      await signIn(browser, info, 'staff');
      quiet.length = 0;
      const me = await browser.fetch(`${info.appUrl}/auth/me`);
      expect(me.status).toBe(200);
      expect(me.headers.get('x-request-id')).toBeNull();
      expect(quiet).toEqual([]);
    } finally {
      await info.close();
    }
  });
});
