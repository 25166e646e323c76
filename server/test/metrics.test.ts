import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, webhookEvent } from '../dev/webhooks.js';
import type { RedisKv } from '../src/store/redis-kv.js';
import { serveMetrics, series, type Samples } from './support/metrics.js';
import { sessionIdOf } from './support/session.js';
import { Browser, signIn, startStack, subOf, type Stack } from './support/stack.js';

const SECRET = 'metrics-webhook-secret';

let stack: Stack;
let metrics: Awaited<ReturnType<typeof serveMetrics>>;
beforeAll(async () => {
  stack = await startStack({ env: { CAMPUS_ONE_WEBHOOK_SECRET: SECRET, RATE_LIMIT_SIGN_IN: '10' } });
  metrics = await serveMetrics(stack.instances[0]!);
});
afterAll(async () => {
  await metrics.close();
  await stack.close();
});

const value = (samples: Samples, name: string, labels: Record<string, string> = {}) => samples.get(series(name, labels)) ?? 0;

describe('GET /metrics', () => {
  it('counts a sign-in, /auth/me answers before and behind Express, webhooks, back-channel logouts and a refused request', async () => {
    const before = await metrics.scrape();
    const moved = (after: Samples, name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    const browser = new Browser();
    await signIn(browser, stack, 'student');
    // A visitor with no Campus One session, trying silently.
    const anonymous = await new Browser().navigate(`${stack.appUrl}/auth/login?prompt=none&returnTo=/news`);
    expect(anonymous.url.pathname).toBe('/news');
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(200);
    expect((await new Browser().fetch(`${stack.appUrl}/auth/me`)).status).toBe(401);
    const hook = `${stack.appUrl}/webhooks/campus-one`;
    const change = webhookEvent('user.role_changed', { user_id: subOf(stack, 'student'), new_role: 'mentor', previous_role: 'student' });
    expect((await deliverWebhook(hook, SECRET, change)).status).toBe(200);
    expect((await deliverWebhook(hook, SECRET, change)).status).toBe(200);
    expect((await deliverWebhook(hook, 'not-the-secret', webhookEvent('something.new', { user_id: 'x' }))).status).toBe(401);
    expect((await deliverWebhook(hook, SECRET, webhookEvent('something.new', { user_id: 'x' }))).status).toBe(200);
    const logout = await fetch(`${stack.appUrl}/auth/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: 'not.a.jwt' }) });
    expect(logout.status).toBe(400);
    const callback = () => fetch(`${stack.appUrl}/auth/callback?state=forged`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    for (let i = 0; i < 10; i++) expect((await callback()).status).toBe(400);
    expect((await callback()).status).toBe(429);

    const response = await fetch(metrics.url);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    const after = await metrics.scrape();
    expect(moved(after, 'porter_sign_ins_total', { outcome: 'signed_in', mode: 'interactive', code: '' })).toBe(1);
    expect(moved(after, 'porter_sign_ins_total', { outcome: 'silent_no_session', mode: 'silent', code: '' })).toBe(1);
    // The role change re-signs nothing: the shortcut answered the signed-in /auth/me.
    expect(moved(after, 'porter_auth_me_responses_total', { status: '200', answered_by: 'shortcut' })).toBe(1);
    expect(moved(after, 'porter_auth_me_responses_total', { status: '401', answered_by: 'shortcut' })).toBe(1);
    expect(moved(after, 'porter_webhooks_total', { event: 'user.role_changed', outcome: 'applied' })).toBe(1);
    expect(moved(after, 'porter_webhooks_total', { event: 'user.role_changed', outcome: 'duplicate' })).toBe(1);
    expect(moved(after, 'porter_webhooks_total', { event: 'unread', outcome: 'porter/invalid_signature' })).toBe(1);
    expect(moved(after, 'porter_webhooks_total', { event: 'other', outcome: 'ignored' })).toBe(1);
    expect(moved(after, 'porter_backchannel_logouts_total', { outcome: 'porter/invalid_logout_token' })).toBe(1);
    expect(moved(after, 'porter_sign_ins_total', { outcome: 'failed', mode: 'interactive', code: 'porter/invalid_state' })).toBe(10);
    expect(moved(after, 'porter_rate_limited_total', { route: 'sign_in' })).toBe(1);
    expect(moved(after, 'porter_http_request_duration_seconds_count', { group: 'callback', status: '429' })).toBe(1);
    expect(moved(after, 'porter_http_request_duration_seconds_count', { group: 'callback', status: '302' })).toBe(2);
    expect(moved(after, 'porter_http_request_duration_seconds_count', { group: 'callback', status: '400' })).toBe(10);
    expect(moved(after, 'porter_http_request_duration_seconds_count', { group: 'webhooks', status: '200' })).toBe(3);
    expect(value(after, 'porter_live_sessions')).toBe(1);
    expect(value(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Bounded labels: no user, session or path.
    expect(text).not.toContain(subOf(stack, 'student'));
    expect(text).not.toContain(sessionIdOf(browser, stack));
    expect(text).not.toContain('/news');
  });

  it('counts a token refresh and the /auth/me answer Express gives for it', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'staff');
    const before = await metrics.scrape();
    const instance = stack.instances[0]!;
    instance.clock.offsetMs = 59.5 * 60_000;
    try {
      const answer = await browser.fetch(`${stack.appUrl}/auth/me`);
      expect(answer.status).toBe(200);
      // express-session sends the body's last byte once the refreshed session is saved; Express
      // counts the answer when it has finished.
      await answer.arrayBuffer();
    } finally {
      instance.clock.offsetMs = 0;
    }
    const after = await metrics.scrape();
    const refreshed = series('porter_token_refreshes_total', { outcome: 'refreshed' });
    expect((after.get(refreshed) ?? 0) - (before.get(refreshed) ?? 0)).toBe(1);
    const viaExpress = series('porter_auth_me_responses_total', { status: '200', answered_by: 'express' });
    expect((after.get(viaExpress) ?? 0) - (before.get(viaExpress) ?? 0)).toBe(1);
  });

  it('counts store errors by operation, and the rate limit that let a request through', async () => {
    const browser = new Browser();
    await signIn(browser, stack, 'admin');
    const before = await metrics.scrape();
    const kv = stack.instances[0]!.kv as RedisKv;
    // Gone until the test reconnects it, so nothing races the requests below.
    kv.client.disconnect();
    // The limit meets Redis away first (the store's breaker does not know yet), then /auth/me does.
    expect((await fetch(`${stack.appUrl}/auth/login`, { redirect: 'manual' })).status).toBe(302);
    expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(503);
    const after = await metrics.scrape();
    await kv.client.connect();
    const moved = (labels: Record<string, string>) => value(after, 'porter_store_errors_total', labels) - value(before, 'porter_store_errors_total', labels);
    expect(moved({ operation: 'get' })).toBeGreaterThanOrEqual(1);
    expect(moved({ operation: 'rate_limit' })).toBe(1);
    expect(Number.isNaN(after.get('porter_live_sessions'))).toBe(true);
  });

  it('is served on its own listener only: the public one does not know /metrics', async () => {
    const pub = await fetch(`${stack.appUrl}/metrics`, { headers: { accept: 'application/json' } });
    expect(pub.status).toBe(404);
    expect((await fetch(metrics.url.replace('/metrics', '/other'))).status).toBe(404);
  });
});
