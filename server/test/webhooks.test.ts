import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '@porter/shared';
import { deliverWebhook, webhookEvent, type CampusOneWebhook } from '../dev/webhooks.js';
import { createSessionStore } from '../src/session/middleware.js';
import { createKeys } from '../src/store/keys.js';
import type { RedisKv } from '../src/store/redis-kv.js';
import { signatureOf } from '../src/webhooks/signature.js';
import { redisUrl } from './support/env.js';
import { sessionIdOf } from './support/session.js';
import { signedInBrowser, startStack, subOf, type AccountHandle, type Browser, type Stack } from './support/stack.js';
import { errorCode } from './support/errors.js';

const SECRET = 'webhook-secret-current';
const PREVIOUS_SECRET = 'webhook-secret-previous';
const MINUTE = 60_000;

let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  stack = await startStack({ instances: 2, env: { CAMPUS_ONE_WEBHOOK_SECRET: `${SECRET},${PREVIOUS_SECRET}` } });
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis.disconnect();
  await stack.close();
});

const [A, B] = [0, 1];
const origin = (instance: number) => stack.instances[instance]!.origin;
const hookUrl = (instance = A) => `${origin(instance)}/webhooks/campus-one`;
const send = (body: string | CampusOneWebhook, options: { secret?: string; signature?: string | null; instance?: number } = {}) =>
  deliverWebhook(hookUrl(options.instance), options.secret ?? SECRET, body, options.signature === undefined ? {} : { signature: options.signature });
const sub = (handle: AccountHandle) => subOf(stack, handle);
const roleChange = (handle: AccountHandle, newRole: string, previousRole: string) =>
  webhookEvent('user.role_changed', { user_id: sub(handle), email: 'x@campus.example', previous_role: previousRole, new_role: newRole });

async function me(browser: Browser, instance = A): Promise<{ status: number; body: MeResponse }> {
  const response = await browser.fetch(`${origin(instance)}/auth/me`, { headers: { accept: 'application/json' } });
  return { status: response.status, body: (await response.json()) as MeResponse };
}


const signedIn = (handle: AccountHandle) => signedInBrowser(stack, handle);

describe('webhook signatures', () => {
  it('accepts a delivery signed with the current secret or the previous one, and nothing else', async () => {
    expect((await send(webhookEvent('user.created', { user_id: 'new' }))).status).toBe(200);
    expect((await send(webhookEvent('user.created', { user_id: 'new' }), { secret: PREVIOUS_SECRET })).status).toBe(200);
    const other = await send(webhookEvent('user.created', { user_id: 'new' }), { secret: 'someone-elses-secret' });
    expect(other.status).toBe(401);
    expect(await errorCode(other)).toBe('porter/invalid_signature');
  });

  it('verifies the raw bytes: a body with whitespace passes, the same JSON re-serialized under its signature does not', async () => {
    const browser = await signedIn('student');
    const event = roleChange('student', 'mentor', 'student');
    const spaced = JSON.stringify(event, null, 2);
    const compact = JSON.stringify(event);
    expect(spaced).not.toBe(compact);
    expect((await send(compact, { signature: signatureOf(Buffer.from(spaced), SECRET) })).status).toBe(401);
    expect((await me(browser)).body.user.role).toBe('student');
    expect((await send(spaced)).status).toBe(200);
    expect((await me(browser)).body.user.role).toBe('mentor');
  });

  it.each([
    ['missing', null],
    ['too short', 'sha256=abcdef'],
    ['too long', `sha256=${'a'.repeat(66)}`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['another scheme', `sha1=${'a'.repeat(40)}`],
    ['without its scheme', 'a'.repeat(64)],
  ])('answers 401 JSON, never a 500, to a signature %s', async (_case, signature) => {
    const response = await send(webhookEvent('user.deleted', { user_id: sub('staff') }), { signature });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('porter/invalid_signature');
  });

  it('answers 413 to a body over 64 KB, before reading it as JSON', async () => {
    const response = await send(JSON.stringify({ ...webhookEvent('user.created', {}), padding: 'x'.repeat(64 * 1024) }));
    expect(response.status).toBe(413);
    expect(await errorCode(response)).toBe('porter/payload_too_large');
  });

  it.each([
    ['malformed JSON', '{"id": "1", "event": '],
    ['no id', JSON.stringify({ event: 'user.deleted', occurredAt: new Date().toISOString(), data: { user_id: 'u' } })],
    ['no event', JSON.stringify({ id: 'no-event', occurredAt: new Date().toISOString(), data: { user_id: 'u' } })],
    ['a known event without data.user_id', JSON.stringify({ ...webhookEvent('user.deleted', {}) })],
    ['a role change without new_role', JSON.stringify(webhookEvent('user.role_changed', { user_id: 'u' }))],
  ])('answers 400 to a validly signed body with %s', async (_case, body) => {
    const response = await send(body);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('porter/bad_request');
  });
});

describe('webhook events', () => {
  it('shows a role change at the next /auth/me of every session of the user, on every instance', async () => {
    const [first, second] = [await signedIn('student'), await signedIn('student')];
    expect(sessionIdOf(first, stack)).not.toBe(sessionIdOf(second, stack));
    expect((await me(first, A)).body.user.role).toBe('student');
    expect((await me(second, B)).body.user.role).toBe('student');

    const response = await send(roleChange('student', 'staff', 'student'), { instance: B });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, outcome: 'applied' });

    for (const [browser, instance] of [[first, A], [second, B], [first, B], [second, A]] as const) {
      const { status, body } = await me(browser, instance);
      expect(status).toBe(200);
      expect(body.user).toMatchObject({ role: 'staff', roles: ['staff'] });
    }
    // The role gate follows at once too.
    expect((await first.fetch(`${origin(B)}/api/admin/reports`)).status).toBe(200);
    await send(roleChange('student', 'student', 'staff'));
    expect((await first.fetch(`${origin(B)}/api/admin/reports`)).status).toBe(403);
  });

  it.each(['user.deleted', 'user.disconnected', 'session.revoked', 'session.signed_out'])(
    'ends every session of the user on %s',
    async (event) => {
      const sessions = [await signedIn('staff'), await signedIn('staff')];
      const bystander = await signedIn('admin');
      const response = await send(webhookEvent(event, { user_id: sub('staff') }));
      expect(response.status).toBe(200);
      for (const browser of sessions) {
        expect((await me(browser, A)).status).toBe(401);
        expect((await me(browser, B)).status).toBe(401);
      }
      expect((await me(bystander)).status).toBe(200);
    },
  );

  it('refreshes name and email on user.updated, leaving the role alone', async () => {
    const browser = await signedIn('admin');
    await send(webhookEvent('user.updated', { user_id: sub('admin'), name: 'Funmi Adeyemi-Bello', email: 'funmi@staff.campus.example' }));
    expect((await me(browser, B)).body.user).toMatchObject({ name: 'Funmi Adeyemi-Bello', email: 'funmi@staff.campus.example', role: 'admin' });
  });

  it('accepts and ignores an event it does not know', async () => {
    const response = await send(webhookEvent('calendar.event_created', { anything: true }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, outcome: 'ignored' });
  });

  it('answers a replayed delivery 200 without applying it again', async () => {
    const browser = await signedIn('student');
    const toMentor = roleChange('student', 'mentor', 'student');
    expect(await (await send(toMentor)).json()).toMatchObject({ outcome: 'applied' });
    expect(await (await send(roleChange('student', 'external', 'mentor'))).json()).toMatchObject({ outcome: 'applied' });

    const replay = await send(toMentor, { instance: B });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ ok: true, outcome: 'duplicate' });
    expect((await me(browser)).body.user.role).toBe('external');
  });

  it('answers 409 to a delivery that another request is applying right now, so it is retried', async () => {
    const event = webhookEvent('user.deleted', { user_id: sub('staff') });
    const { redis: { prefix } } = stack.instances[A]!.config;
    await redis.set(createKeys(prefix).webhookDelivery(event.id), 'applying', 'PX', 60_000);
    const response = await send(event);
    expect(response.status).toBe(409);
    expect(await errorCode(response)).toBe('porter/delivery_in_progress');
  });

  it('refuses, and does not apply, an event older than an hour or dated more than 5 minutes ahead', async () => {
    const browser = await signedIn('staff');
    for (const offset of [-61 * MINUTE, 6 * MINUTE]) {
      const event = webhookEvent('user.deleted', { user_id: sub('staff') }, new Date(Date.now() + offset));
      const response = await send(event);
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('porter/stale_event');
    }
    expect((await me(browser)).status).toBe(200);
    // Ending sessions, which no newer event about the user can supersede (a role change could).
    const recent = webhookEvent('user.deleted', { user_id: sub('staff') }, new Date(Date.now() - 59 * MINUTE));
    expect((await send(recent)).status).toBe(200);
    expect((await me(browser)).status).toBe(401);
  });

  it('answers 503 while Redis is away, so Campus One retries, and applies the retry', async () => {
    const browser = await signedIn('student');
    const event = roleChange('student', 'mentor', 'student');
    const kv = stack.instances[A]!.kv as RedisKv;
    kv.client.disconnect(true);
    const response = await send(event);
    expect(response.status).toBe(503);
    expect(await errorCode(response)).toBe('porter/store_unavailable');
    await new Promise((resolve) => kv.client.once('ready', resolve));
    expect(await (await send(event)).json()).toMatchObject({ outcome: 'applied' });
    expect((await me(browser)).body.user.role).toBe('mentor');
  });
});

describe('events about one user arriving out of order', () => {
  // Dated `now` and `now + 1` ms: after any event that earlier tests sent about the user, and
  // before any that later tests send, as each delivery takes longer than a millisecond.
  const roleChangeAt = (handle: AccountHandle, newRole: string, at: number) =>
    webhookEvent('user.role_changed', { user_id: sub(handle), new_role: newRole }, new Date(at));

  it('does not let a role change retried after a newer one undo it', async () => {
    const browser = await signedIn('student');
    const now = Date.now();
    const toAdmin = roleChangeAt('student', 'admin', now);
    // The first delivery of `toAdmin` failed, so Campus One retries it after the newer change.
    expect(await (await send(roleChangeAt('student', 'student', now + 1))).json()).toMatchObject({ outcome: 'applied' });
    const late = await send(toAdmin, { instance: B });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ ok: true, outcome: 'superseded', sessions: 0 });
    expect((await me(browser, A)).body.user.role).toBe('student');
    expect((await me(browser, B)).body.user.role).toBe('student');
    // Answered for good: a further retry is a duplicate.
    expect(await (await send(toAdmin)).json()).toMatchObject({ outcome: 'duplicate' });
  });

  it('keeps the newer name when an older user.updated arrives late, and still applies its email', async () => {
    const browser = await signedIn('admin');
    const now = Date.now();
    const update = (data: Record<string, string>, at: number) => webhookEvent('user.updated', { user_id: sub('admin'), ...data }, new Date(at));
    expect(await (await send(update({ name: 'New Name' }, now + 1))).json()).toMatchObject({ outcome: 'applied' });
    expect(await (await send(update({ name: 'Old Name', email: 'late@staff.campus.example' }, now))).json()).toMatchObject({ outcome: 'applied' });
    expect((await me(browser)).body.user).toMatchObject({ name: 'New Name', email: 'late@staff.campus.example' });

    expect(await (await send(update({ name: 'Stale Name' }, now))).json()).toMatchObject({ outcome: 'superseded' });
    expect((await me(browser)).body.user.name).toBe('New Name');
  });

  it('does not apply a role change dated before the sessions ended to a session begun since', async () => {
    const now = Date.now();
    const before = await signedIn('staff');
    await send(webhookEvent('session.revoked', { user_id: sub('staff') }, new Date(now + 1)));
    expect((await me(before)).status).toBe(401);
    const browser = await signedIn('staff');
    expect(await (await send(roleChangeAt('staff', 'admin', now))).json()).toMatchObject({ outcome: 'superseded' });
    expect((await me(browser)).body.user.role).toBe('staff');
  });

  it('still ends the sessions on a revocation that arrives after a newer role change', async () => {
    const browser = await signedIn('student');
    const now = Date.now();
    expect(await (await send(roleChangeAt('student', 'mentor', now + 1))).json()).toMatchObject({ outcome: 'applied' });
    expect(await (await send(webhookEvent('session.revoked', { user_id: sub('student') }, new Date(now)))).json()).toMatchObject({ outcome: 'applied' });
    expect((await me(browser)).status).toBe(401);
  });
});

describe('a request that read the session before a webhook wrote it', () => {
  // express-session writes a whole session back at the end of a request. These replay that
  // write through the real session store, after the webhook, with what the request had read.
  const store = () => {
    const { config, kv, clock } = stack.instances[A]!;
    return createSessionStore(config, kv, createKeys(config.redis.prefix), () => Date.now() + clock.offsetMs);
  };
  const read = (id: string) => new Promise<Record<string, unknown>>((resolve, reject) =>
    store().get(id, (err, data) => (err ? reject(err) : resolve(data as unknown as Record<string, unknown>))),
  );
  const writeBack = (id: string, data: Record<string, unknown>) => new Promise<void>((resolve, reject) =>
    store().set(id, data as never, (err) => (err ? reject(err) : resolve())),
  );

  it('keeps the role change when it writes back the older copy (an idle-expiry touch)', async () => {
    const browser = await signedIn('student');
    const id = sessionIdOf(browser, stack);
    const before = await read(id);
    await send(roleChange('student', 'staff', 'student'));
    await writeBack(id, { ...before, lastTouchedAt: Date.now() });
    const stored = JSON.parse((await redis.get(`${stack.instances[A]!.config.redis.prefix}sess:${id}`)) ?? '{}') as { lastTouchedAt: number };
    expect(stored.lastTouchedAt).toBeGreaterThan(before.lastTouchedAt as number);
    expect((await me(browser)).body.user.role).toBe('staff');
  });

  it('does not bring back a session that a webhook ended', async () => {
    const browser = await signedIn('student');
    const id = sessionIdOf(browser, stack);
    const before = await read(id);
    await send(webhookEvent('user.deleted', { user_id: sub('student') }));
    await writeBack(id, { ...before, lastTouchedAt: Date.now() });
    expect(await redis.exists(`${stack.instances[A]!.config.redis.prefix}sess:${id}`)).toBe(0);
    expect((await me(browser)).status).toBe(401);
  });
});

describe('webhooks not configured', () => {
  it('answers 503 with a code that says so', async () => {
    const bare = await startStack();
    try {
      const response = await deliverWebhook(`${bare.appUrl}/webhooks/campus-one`, SECRET, webhookEvent('user.deleted', { user_id: 'u' }));
      expect(response.status).toBe(503);
      expect(await errorCode(response)).toBe('porter/webhooks_not_configured');
    } finally {
      await bare.close();
    }
  });

  it('honours CAMPUS_ONE_WEBHOOK_MAX_AGE_MS', async () => {
    const strict = await startStack({ env: { CAMPUS_ONE_WEBHOOK_SECRET: SECRET, CAMPUS_ONE_WEBHOOK_MAX_AGE_MS: String(MINUTE) } });
    try {
      const url = `${strict.appUrl}/webhooks/campus-one`;
      const old = webhookEvent('user.deleted', { user_id: 'u' }, new Date(Date.now() - 2 * MINUTE));
      expect((await deliverWebhook(url, SECRET, old)).status).toBe(400);
      expect((await deliverWebhook(url, SECRET, webhookEvent('user.deleted', { user_id: 'u' }))).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
