import { describe, expect, it } from 'vitest';
import { NO_ROLE } from '@porter/shared';
import { activeSessionsTable, changeRows, daysTable } from '@/lib/report-tables';
import { quietDays, reportDay, roleChange } from './report-fixtures';

describe('daysTable', () => {
  const days = [
    reportDay('2025-03-10', { signIns: 2, signInsByRole: { student: 2 } }),
    reportDay('2025-03-11', {
      signIns: 3,
      signInsByRole: { staff: 1, [NO_ROLE]: 2 },
      silentSignIns: 2,
      silentAttempts: 3,
      silentSuccessRate: 2 / 3,
      failures: 1234,
      failuresByReason: { 'porter/token_rejected': 4, 'porter/invalid_state': 1230 },
    }),
    reportDay('2025-03-12', { signIns: 1, signInsByRole: { staff: 1 }, silentSignIns: 1, silentAttempts: 1, silentSuccessRate: 1 }),
  ];

  it('gives each role and failure reason seen in the window a column, busiest first, ties by name', () => {
    const table = daysTable(days);
    // staff 2, student 2, none 2: a tie broken by name, `none` shown as "No role"
    expect(table.roles).toEqual(['No role', 'Staff', 'Student']);
    expect(table.failureReasons).toEqual(['Invalid state', 'Token rejected']);
  });

  it('lists days newest first, whatever order they came in', () => {
    expect(daysTable(days).rows.map((row) => row.date)).toEqual(['2025-03-12', '2025-03-11', '2025-03-10']);
    expect(daysTable(days.toReversed()).rows.map((row) => row.date)).toEqual(['2025-03-12', '2025-03-11', '2025-03-10']);
  });

  it('puts each count under its own column, with 0 where a day had none', () => {
    const [march12, march11, march10] = daysTable(days).rows;
    expect(march11).toEqual({
      date: '2025-03-11',
      day: 'Tue 11 Mar',
      signIns: ['3', '2', '1', '0'],
      silentSucceeded: '2 of 3',
      silentRate: '67%',
      failures: ['1,234', '1,230', '4'],
    });
    expect(march10?.signIns).toEqual(['2', '0', '0', '2']);
    expect(march12?.failures).toEqual(['0', '0', '0']);
  });

  it('shows a dash, not 0%, for the silent sign-in rate of a day without silent attempts', () => {
    const [, , march10] = daysTable(days).rows;
    expect(march10?.silentSucceeded).toBe('—');
    expect(march10?.silentRate).toBe('—');
    expect(daysTable(days).rows[0]?.silentRate).toBe('100%');
  });

  it('has no activity to show when nothing happened on any day, and columns for neither roles nor reasons', () => {
    const table = daysTable(quietDays('2025-03-12', 14));
    expect(table.hasActivity).toBe(false);
    expect(table.rows).toHaveLength(14);
    expect(table.roles).toEqual([]);
    expect(table.failureReasons).toEqual([]);
  });

  it('counts silent attempts that all failed as activity', () => {
    expect(daysTable([reportDay('2025-03-12', { silentAttempts: 1, silentNoProviderSession: 1, silentSuccessRate: 0 })]).hasActivity).toBe(
      true,
    );
  });
});

describe('activeSessionsTable', () => {
  it('lists roles busiest first with the total, and "No role" for sessions without one', () => {
    expect(activeSessionsTable({ total: 1206, byRole: { staff: 5, student: 1200, [NO_ROLE]: 1 } })).toEqual({
      rows: [
        { role: 'Student', sessions: '1,200' },
        { role: 'Staff', sessions: '5' },
        { role: 'No role', sessions: '1' },
      ],
      total: '1,206',
      hasSessions: true,
    });
  });

  it('has no sessions to show when nobody is signed in', () => {
    expect(activeSessionsTable({ total: 0, byRole: {} }).hasSessions).toBe(false);
  });
});

describe('changeRows', () => {
  it('describes a role change from a webhook, with the roles and the event', () => {
    expect(changeRows([roleChange()])).toEqual([
      {
        at: '2025-03-12T14:05:00.000Z',
        when: '12 Mar 2025, 14:05 UTC',
        what: 'Role changed',
        roles: 'Student → Staff',
        person: 'Ada Obi',
        personId: 'c1|42',
        source: 'Campus One webhook',
        sourceDetail: 'user.role_changed',
        sessions: '2',
      },
    ]);
  });

  it('says the previous role is unknown when no session held one', () => {
    expect(changeRows([roleChange({ previousRole: null, newRole: NO_ROLE })])[0]?.roles).toBe('unknown → No role');
  });

  it('names the admin who revoked, and no roles', () => {
    const [row] = changeRows([
      roleChange({ kind: 'revoked', source: 'admin', event: null, actor: 'c1|1', previousRole: null, newRole: null }),
    ]);
    expect(row).toMatchObject({ what: 'Revoked', roles: null, source: 'Admin', sourceDetail: 'c1|1' });
  });

  it('shows a back-channel logout without a detail, and the sub of a person no session knew', () => {
    const [row] = changeRows([
      roleChange({ kind: 'revoked', source: 'backchannel_logout', event: null, name: null, previousRole: null, newRole: null, sessions: 0 }),
    ]);
    expect(row).toMatchObject({ source: 'Back-channel logout', sourceDetail: null, person: 'c1|42', personId: null, sessions: '0' });
  });

  it('keeps the server’s order, newest first', () => {
    const rows = changeRows([roleChange({ at: '2025-03-12T10:00:00Z' }), roleChange({ at: '2025-03-11T10:00:00Z' })]);
    expect(rows.map((row) => row.at)).toEqual(['2025-03-12T10:00:00Z', '2025-03-11T10:00:00Z']);
  });
});
