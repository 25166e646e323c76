import { NO_ROLE } from '@porter/shared';
import type { AdminReport, ReportDay, SessionChange } from '@porter/shared';
import { formatCount, formatDateTime, formatDay, formatRate, humanize } from './format';

/*
 * The report's tables as text, ready to render: the pages only lay them out, and these
 * functions are tested without a browser.
 */

/** One day a row: sign-ins by role, silent sign-in success and failures by reason. */
export interface DaysTableModel {
  /** Column headings under "Sign-ins" and "Failures", after their "All" column. */
  readonly roles: readonly string[];
  readonly failureReasons: readonly string[];
  /** Newest first. */
  readonly rows: readonly DayRow[];
  /** False when nobody signed in, tried to or failed to on any day: the table would be all zeros. */
  readonly hasActivity: boolean;
}

export interface DayRow {
  /** `YYYY-MM-DD`, for `<time dateTime>`. */
  readonly date: string;
  readonly day: string;
  /** All sign-ins, then one count per entry of {@link DaysTableModel.roles}. */
  readonly signIns: readonly string[];
  /** `3 of 4`, or `—` without silent attempts. */
  readonly silentSucceeded: string;
  readonly silentRate: string;
  /** All failures, then one count per entry of {@link DaysTableModel.failureReasons}. */
  readonly failures: readonly string[];
}

const NOTHING = '—';

export function daysTable(days: readonly ReportDay[]): DaysTableModel {
  const roleKeys = keysBusiestFirst(days.map((day) => day.signInsByRole));
  const reasonKeys = keysBusiestFirst(days.map((day) => day.failuresByReason));
  return {
    roles: roleKeys.map(roleLabel),
    failureReasons: reasonKeys.map(failureReasonLabel),
    rows: days
      .toSorted((a, b) => b.date.localeCompare(a.date))
      .map((day) => ({
        date: day.date,
        day: formatDay(day.date),
        signIns: [day.signIns, ...roleKeys.map((role) => day.signInsByRole[role] ?? 0)].map(formatCount),
        silentSucceeded:
          day.silentAttempts === 0 ? NOTHING : `${formatCount(day.silentSignIns)} of ${formatCount(day.silentAttempts)}`,
        silentRate: day.silentSuccessRate === null ? NOTHING : formatRate(day.silentSuccessRate),
        failures: [day.failures, ...reasonKeys.map((reason) => day.failuresByReason[reason] ?? 0)].map(formatCount),
      })),
    hasActivity: days.some((day) => day.signIns > 0 || day.silentAttempts > 0 || day.failures > 0),
  };
}

export interface ActiveSessionsTableModel {
  /** Busiest role first. */
  readonly rows: ReadonlyArray<{ readonly role: string; readonly sessions: string }>;
  readonly total: string;
  readonly hasSessions: boolean;
}

export function activeSessionsTable(activeSessions: AdminReport['activeSessions']): ActiveSessionsTableModel {
  return {
    rows: keysBusiestFirst([activeSessions.byRole]).map((role) => ({
      role: roleLabel(role),
      sessions: formatCount(activeSessions.byRole[role] ?? 0),
    })),
    total: formatCount(activeSessions.total),
    hasSessions: activeSessions.total > 0,
  };
}

export interface ChangeRow {
  readonly at: string;
  readonly when: string;
  /** `Role changed` or `Revoked`. */
  readonly what: string;
  /** `student → staff` for a role change; `null` for a revocation. */
  readonly roles: string | null;
  /** Their name, or their `sub` when no live session knew it. */
  readonly person: string;
  /** The `sub`, when `person` is a name. */
  readonly personId: string | null;
  readonly source: string;
  /** The webhook's event or the admin's `sub`; `null` when the source says it all. */
  readonly sourceDetail: string | null;
  readonly sessions: string;
}

const SOURCE_LABELS: Readonly<Record<SessionChange['source'], string>> = {
  webhook: 'Campus One webhook',
  backchannel_logout: 'Back-channel logout',
  admin: 'Admin',
};

export function changeRows(changes: readonly SessionChange[]): ChangeRow[] {
  return changes.map((change) => ({
    at: change.at,
    when: formatDateTime(change.at),
    what: change.kind === 'role_changed' ? 'Role changed' : 'Revoked',
    roles: change.kind === 'role_changed' ? `${changedRole(change.previousRole)} → ${changedRole(change.newRole)}` : null,
    person: change.name ?? change.sub,
    personId: change.name === null ? null : change.sub,
    source: SOURCE_LABELS[change.source],
    sourceDetail: change.source === 'webhook' ? change.event : change.source === 'admin' ? change.actor : null,
    sessions: formatCount(change.sessions),
  }));
}

/** Campus One's role strings with a capital (`Staff`), and the server's stand-in for none as `No role`. */
function roleLabel(role: string): string {
  return role === NO_ROLE ? 'No role' : role.charAt(0).toUpperCase() + role.slice(1);
}

// A role change's previous role is null when no live session of the person held one.
function changedRole(role: string | null): string {
  return role === null ? 'unknown' : roleLabel(role);
}

/** `porter/invalid_state` → `Invalid state`: the code's namespace says nothing to a reader. */
function failureReasonLabel(code: string): string {
  return humanize(code.replace(/^porter\//, ''));
}

/** Every key of `counts`, highest total first, then by name, so columns keep a stable order. */
function keysBusiestFirst(counts: ReadonlyArray<Readonly<Record<string, number>>>): string[] {
  const totals = new Map<string, number>();
  for (const record of counts) {
    for (const [key, n] of Object.entries(record)) totals.set(key, (totals.get(key) ?? 0) + n);
  }
  return [...totals].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([key]) => key);
}
