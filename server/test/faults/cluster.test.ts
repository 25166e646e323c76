import type { AdminReport, MeResponse, RevokeSessionsResponse, UserSessionsResponse } from '@porter/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLogoutToken } from '../../dev/logout-tokens.js';
import { deliverWebhook, webhookEvent } from '../../dev/webhooks.js';
import { RedisCluster } from '../support/redis-processes.js';
import { sessionIdOf } from '../support/session.js';
import { CLIENT, signedInBrowser, startStack, subOf, type AccountHandle, type Browser, type Stack } from '../support/stack.js';

/**
 * Porter on a real Redis Cluster of three masters (`REDIS_URL=redis-cluster://...`): the whole
 * journey works, so no operation spans keys of different slots (a CROSSSLOT error would be 503).
 */

const WEBHOOK_SECRET = 'cluster-webhook-secret';
const MINUTE = 60_000;

let cluster: RedisCluster;
let stack: Stack;
beforeAll(async () => {
  cluster = await RedisCluster.start();
  stack = await startStack({ redisUrl: cluster.url, env: { CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

const json = { headers: { accept: 'application/json' } };
const url = (path: string) => `${stack.appUrl}${path}`;
const sub = (handle: AccountHandle) => subOf(stack, handle);
/**
 * `/auth/me`, its body read to the end: express-session sends a body's last byte only once the
 * session is saved, so a touch or refresh is in the store when this resolves.
 */
const me = async (browser: Browser) => {
  const response = await browser.fetch(url('/auth/me'), json);
  return new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers });
};
const backchannelLogout = async (claims: Record<string, unknown>) =>
  fetch(url('/auth/backchannel-logout'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: await signLogoutToken(stack.provider, { audience: CLIENT.clientId, claims }) }).toString(),
  });
/** The session as the store holds it. */
async function stored(browser: Browser): Promise<{ providerSid: string; accessTokenExpiresAt: number; lastTouchedAt: number }> {
  const value = await stack.instances[0]!.kv.get(`${stack.instances[0]!.config.redis.prefix}sess:${sessionIdOf(browser, stack)}`);
  return JSON.parse(value ?? '{}') as { providerSid: string; accessTokenExpiresAt: number; lastTouchedAt: number };
}

describe('Porter on a Redis Cluster', () => {
  it('signs in, answers /auth/me, touches and refreshes, applies and refuses to replay a webhook', async () => {
    const student = await signedInBrowser(stack, 'student');
    expect((await me(student)).status).toBe(200);

    const event = webhookEvent('user.role_changed', { user_id: sub('student'), email: 'x@campus.example', previous_role: 'student', new_role: 'mentor' });
    const applied = await deliverWebhook(url('/webhooks/campus-one'), WEBHOOK_SECRET, event);
    expect(await applied.json()).toMatchObject({ outcome: 'applied', sessions: 1 });
    expect(await (await deliverWebhook(url('/webhooks/campus-one'), WEBHOOK_SECRET, event)).json()).toMatchObject({ outcome: 'duplicate' });
    expect(((await (await me(student)).json()) as MeResponse).user.role).toBe('mentor');

    const clock = stack.instances[0]!.clock;
    const signedIn = await stored(student);
    try {
      // Past the touch interval: the idle expiry moves (a write).
      clock.offsetMs = 6 * MINUTE;
      expect((await me(student)).status).toBe(200);
      expect((await stored(student)).lastTouchedAt).toBeGreaterThan(signedIn.lastTouchedAt);
      // The access token about to expire: a refresh through Campus One under the lock.
      clock.offsetMs = 59.5 * MINUTE;
      expect((await me(student)).status).toBe(200);
      expect((await stored(student)).accessTokenExpiresAt).toBeGreaterThan(signedIn.accessTokenExpiresAt);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('ends sessions by back-channel logout, by sid and by sub', async () => {
    const first = await signedInBrowser(stack, 'student');
    const second = await signedInBrowser(stack, 'student');
    expect((await backchannelLogout({ sid: (await stored(first)).providerSid, sub: sub('student') })).status).toBe(200);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(200);

    const staff = await signedInBrowser(stack, 'staff');
    expect((await backchannelLogout({ sub: sub('staff') })).status).toBe(200);
    expect((await me(staff)).status).toBe(401);
  });

  it('serves the reports, lists and revokes a user’s sessions, and signs out', async () => {
    const admin = await signedInBrowser(stack, 'admin');
    const student = await signedInBrowser(stack, 'student');
    const reports = await admin.fetch(url('/api/admin/reports'), json);
    expect(reports.status).toBe(200);
    expect(((await reports.json()) as AdminReport).days.length).toBeGreaterThan(0);

    const listed = (await (await admin.fetch(url(`/api/admin/users/${sub('student')}/sessions`), json)).json()) as UserSessionsResponse;
    expect(listed.sessions.length).toBeGreaterThan(0);
    const revoked = await admin.fetch(url(`/api/admin/users/${sub('student')}/sessions`), { method: 'DELETE', headers: { accept: 'application/json', 'x-csrf': '1' } });
    expect(((await revoked.json()) as RevokeSessionsResponse).revoked).toBe(listed.sessions.length);
    expect((await me(student)).status).toBe(401);

    const out = await admin.fetch(url('/auth/logout'), { method: 'POST', headers: { accept: 'application/json', 'x-csrf': '1' } });
    expect(out.status).toBe(200);
    expect((await me(admin)).status).toBe(401);
  });
});
