import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminReport } from '@porter/shared';
import { deliverWebhook, webhookEvent } from '../dev/webhooks.js';
import { Browser, signedInBrowser, startStack, subOf, type AccountHandle, type Stack } from './support/stack.js';

const SECRET = 'reports-webhook-secret';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { CAMPUS_ONE_WEBHOOK_SECRET: SECRET } });
});
afterAll(() => stack.close());

const sub = (handle: AccountHandle) => subOf(stack, handle);
const app = (path: string) => `${stack.appUrl}${path}`;

const signedIn = (handle: AccountHandle) => signedInBrowser(stack, handle);

describe('GET /api/admin/reports', () => {
  it('counts what happened today, who is signed in now, and the latest changes', async () => {
    // Interactive sign-ins: a student, a staff member, later an admin.
    const student = await signedIn('student');
    const staff = await signedIn('staff');
    // A silent attempt that finds no Campus One session.
    await new Browser().navigate(app('/auth/login?prompt=none&returnTo=/'));
    // A silent sign-in that succeeds: the student signs out of Porter, not of Campus One.
    await student.fetch(app('/auth/logout'), { method: 'POST', headers: { 'x-csrf': '1' } });
    const silent = await student.navigate(app('/auth/login?prompt=none&returnTo=/'));
    expect(silent.hops.some((hop) => hop.pathname === '/auth/callback')).toBe(true);
    expect((await student.fetch(app('/auth/me'))).status).toBe(200);
    // A failed sign-in.
    expect((await new Browser().fetch(app('/auth/callback?state=forged&code=x'), { headers: { accept: 'application/json' } })).status).toBe(400);
    // A role change from Campus One, and an admin revoking the student.
    await deliverWebhook(app('/webhooks/campus-one'), SECRET, webhookEvent('user.role_changed', { user_id: sub('staff'), previous_role: 'staff', new_role: 'mentor' }));
    const admin = await signedIn('admin');
    await admin.fetch(app(`/api/admin/users/${sub('student')}/sessions`), { method: 'DELETE', headers: { 'x-csrf': '1' } });

    const response = await admin.fetch(app('/api/admin/reports'), { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as AdminReport;

    expect(report.days).toHaveLength(14);
    const today = report.days.at(-1);
    expect(today?.date).toBe(new Date().toISOString().slice(0, 10));
    expect(today).toEqual({
      date: today?.date,
      signIns: 4,
      signInsByRole: { student: 2, staff: 1, admin: 1 },
      silentSignIns: 1,
      interactiveSignIns: 3,
      silentAttempts: 2,
      silentNoProviderSession: 1,
      silentSuccessRate: 0.5,
      failures: 1,
      failuresByReason: { 'porter/invalid_state': 1 },
      signOuts: 1,
      revocations: 1,
      roleChanges: 1,
    });
    expect(report.days.slice(0, -1).every((day) => day.signIns === 0 && day.silentSuccessRate === null)).toBe(true);

    expect(report.activeSessions).toEqual({ total: 2, byRole: { mentor: 1, admin: 1 } });
    expect((await staff.fetch(app('/auth/me'))).status).toBe(200);

    expect(report.recentChanges).toEqual([
      expect.objectContaining({ kind: 'revoked', sub: sub('student'), source: 'admin', actor: sub('admin'), sessions: 1 }),
      expect.objectContaining({
        kind: 'role_changed',
        sub: sub('staff'),
        name: 'Ibrahim Musa',
        source: 'webhook',
        event: 'user.role_changed',
        previousRole: 'staff',
        newRole: 'mentor',
        sessions: 1,
      }),
    ]);
  });

  it('counts a session as active while it lives: a visit keeps it counted, an idle session stops counting', async () => {
    const HOUR = 60 * 60 * 1000;
    const clock = stack.instances[0]!.clock;
    await signedIn('student');
    const admin = await signedIn('admin');
    try {
      // The default idle timeout is a day: the admin comes back within it, the student does not.
      clock.offsetMs = 20 * HOUR;
      expect((await admin.fetch(app('/auth/me'))).status).toBe(200);
      clock.offsetMs = 30 * HOUR;
      const report = (await (await admin.fetch(app('/api/admin/reports'), { headers: { accept: 'application/json' } })).json()) as AdminReport;
      expect(report.activeSessions).toEqual({ total: 1, byRole: { admin: 1 } });
    } finally {
      clock.offsetMs = 0;
    }
  });
});
