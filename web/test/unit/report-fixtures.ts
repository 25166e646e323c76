import type { AdminReport, ReportDay, SessionChange } from '@porter/shared';

/** A day on which nothing happened, with `overrides` on top. */
export function reportDay(date: string, overrides: Partial<ReportDay> = {}): ReportDay {
  return {
    date,
    signIns: 0,
    signInsByRole: {},
    silentSignIns: 0,
    interactiveSignIns: 0,
    silentAttempts: 0,
    silentNoProviderSession: 0,
    silentSuccessRate: null,
    failures: 0,
    failuresByReason: {},
    signOuts: 0,
    revocations: 0,
    roleChanges: 0,
    ...overrides,
  };
}

/** `count` consecutive days ending on `last`, oldest first, as the server sends them. */
export function quietDays(last: string, count: number): ReportDay[] {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    reportDay(new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10)),
  );
}

export function roleChange(overrides: Partial<SessionChange> = {}): SessionChange {
  return {
    at: '2025-03-12T14:05:00.000Z',
    kind: 'role_changed',
    sub: 'c1|42',
    name: 'Ada Obi',
    source: 'webhook',
    event: 'user.role_changed',
    actor: null,
    previousRole: 'student',
    newRole: 'staff',
    sessions: 2,
    ...overrides,
  };
}

/** A report as `GET /admin/reports` answers it, round-tripped through JSON. */
export function reportJson(overrides: Partial<AdminReport> = {}): unknown {
  const report: AdminReport = {
    generatedAt: '2025-03-12T14:05:00.000Z',
    days: [
      reportDay('2025-03-11'),
      reportDay('2025-03-12', {
        signIns: 3,
        signInsByRole: { staff: 1, student: 2 },
        silentSignIns: 1,
        interactiveSignIns: 2,
        silentAttempts: 2,
        silentNoProviderSession: 1,
        silentSuccessRate: 0.5,
        failures: 1,
        failuresByReason: { 'porter/invalid_state': 1 },
      }),
    ],
    activeSessions: { total: 3, byRole: { staff: 1, student: 2 } },
    recentChanges: [roleChange(), roleChange({ kind: 'revoked', source: 'admin', event: null, actor: 'c1|1', previousRole: null, newRole: null })],
    ...overrides,
  };
  return JSON.parse(JSON.stringify(report));
}
