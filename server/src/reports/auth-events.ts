import type { AdminReport, ErrorCode, ReportDay, SessionChange } from '@porter/shared';
import { NO_ROLE } from '@porter/shared';
import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics.js';
import type { SessionDirectory, SessionsChanged } from '../session/directory.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** What the reports count. */
export type AuthEvent =
  | { type: 'signed_in'; role: string | null; silent: boolean }
  | { type: 'silent_no_provider_session' }
  | { type: 'sign_in_failed'; reason: ErrorCode; silent: boolean }
  | { type: 'signed_out' }
  | { type: 'session_change'; change: Omit<SessionChange, 'at'> };

/** Where a change to someone's sessions came from: an admin (by `sub`), back-channel logout, or a webhook event. */
export type ChangeOrigin =
  | { source: 'admin'; actor: string | null }
  | { source: 'backchannel_logout' }
  | { source: 'webhook'; event: string };

/**
 * The "session changed" report record, the one shape for every source: `sub`'s sessions were
 * revoked, or their role changed (`roles`: before and after), as `changed` reports it.
 */
export function sessionChange(
  sub: string,
  changed: SessionsChanged,
  origin: ChangeOrigin,
  roles?: { previousRole: string | null; newRole: string },
): AuthEvent {
  return {
    type: 'session_change',
    change: {
      kind: roles ? 'role_changed' : 'revoked',
      sub,
      name: changed.name,
      source: origin.source,
      event: origin.source === 'webhook' ? origin.event : null,
      actor: origin.source === 'admin' ? origin.actor : null,
      previousRole: roles?.previousRole ?? null,
      newRole: roles?.newRole ?? null,
      sessions: changed.sessions,
    },
  };
}

export const REPORT_DAYS = 14;
export const RECENT_CHANGES = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A day's counters outlive the report's window by a day, so its oldest day is always whole. */
const COUNTERS_TTL_MS = (REPORT_DAYS + 1) * DAY_MS;

/** Hash fields of a day's counters: written by `record`, read by `report`, nowhere else. */
const FIELD = {
  silentSignIn: 'sign_in:silent',
  interactiveSignIn: 'sign_in:interactive',
  signInRolePrefix: 'sign_in_role:',
  silentNoProviderSession: 'silent:no_provider_session',
  silentFailure: 'silent:failed',
  failurePrefix: 'failure:',
  signOut: 'sign_out',
  revocation: 'revocation',
  roleChange: 'role_change',
} as const;

/**
 * Auth events for the admin reports, in Redis and bounded in size: per-day counters (one hash a
 * day, gone after the report's window) and the latest role changes and revocations (a stream
 * capped at what the report shows). Counting per day as events happen keeps a report at a fixed
 * number of reads, however many people sign in.
 */
export class AuthEvents {
  constructor(private readonly deps: { kv: Kv; keys: Keys; directory: SessionDirectory; metrics: Metrics; log: Logger; now: () => number }) {}

  /** Records an event. Best effort: a sign-in or a webhook never fails because a counter did. */
  async record(event: AuthEvent): Promise<void> {
    const { kv, keys, metrics, log, now } = this.deps;
    // Counted first: the metrics must show sign-ins even while Redis refuses the report's counters.
    countSignIn(metrics, event);
    const at = now();
    try {
      await kv.hIncrBy(keys.reportDay(utcDate(at)), counters(event), COUNTERS_TTL_MS);
      if (event.type === 'session_change') {
        const change: SessionChange = { at: new Date(at).toISOString(), ...event.change };
        await kv.streamAdd(keys.sessionChanges(), JSON.stringify(change), RECENT_CHANGES, REPORT_DAYS * DAY_MS);
      }
    } catch (err) {
      log.warn({ err, event: event.type }, 'could not record an auth event for the reports');
    }
  }

  async report(): Promise<AdminReport> {
    const { kv, keys, directory, now } = this.deps;
    const at = now();
    const dates = Array.from({ length: REPORT_DAYS }, (_, i) => utcDate(at - (REPORT_DAYS - 1 - i) * DAY_MS));
    // Every read at once: the report waits for one round trip's worth, not one per part.
    const [days, byRole, recent] = await Promise.all([
      Promise.all(dates.map(async (date) => dayReport(date, await kv.hGetAll(keys.reportDay(date))))),
      directory.countByRole(),
      kv.streamLatest(keys.sessionChanges(), RECENT_CHANGES),
    ]);
    const recentChanges = recent.map((entry) => JSON.parse(entry) as SessionChange);
    return {
      generatedAt: new Date(at).toISOString(),
      days,
      activeSessions: { total: sum(byRole), byRole },
      recentChanges,
    };
  }
}

function countSignIn(metrics: Metrics, event: AuthEvent) {
  if (event.type === 'signed_in') metrics.signIn('signed_in', event.silent);
  else if (event.type === 'silent_no_provider_session') metrics.signIn('silent_no_session', true);
  else if (event.type === 'sign_in_failed') metrics.signIn('failed', event.silent, event.reason);
}

function counters(event: AuthEvent): Record<string, number> {
  switch (event.type) {
    case 'signed_in':
      return {
        [event.silent ? FIELD.silentSignIn : FIELD.interactiveSignIn]: 1,
        [FIELD.signInRolePrefix + (event.role ?? NO_ROLE)]: 1,
      };
    case 'silent_no_provider_session':
      return { [FIELD.silentNoProviderSession]: 1 };
    case 'sign_in_failed':
      return { [FIELD.failurePrefix + event.reason]: 1, ...(event.silent ? { [FIELD.silentFailure]: 1 } : {}) };
    case 'signed_out':
      return { [FIELD.signOut]: 1 };
    case 'session_change':
      return { [event.change.kind === 'role_changed' ? FIELD.roleChange : FIELD.revocation]: 1 };
  }
}

function dayReport(date: string, hash: Record<string, string>): ReportDay {
  const count = (field: string) => Number(hash[field] ?? 0);
  const silentSignIns = count(FIELD.silentSignIn);
  const interactiveSignIns = count(FIELD.interactiveSignIn);
  const silentNoProviderSession = count(FIELD.silentNoProviderSession);
  const silentAttempts = silentSignIns + silentNoProviderSession + count(FIELD.silentFailure);
  const failuresByReason = byPrefix(hash, FIELD.failurePrefix);
  return {
    date,
    signIns: silentSignIns + interactiveSignIns,
    signInsByRole: byPrefix(hash, FIELD.signInRolePrefix),
    silentSignIns,
    interactiveSignIns,
    silentAttempts,
    silentNoProviderSession,
    silentSuccessRate: silentAttempts === 0 ? null : silentSignIns / silentAttempts,
    failures: sum(failuresByReason),
    failuresByReason,
    signOuts: count(FIELD.signOut),
    revocations: count(FIELD.revocation),
    roleChanges: count(FIELD.roleChange),
  };
}

function byPrefix(hash: Record<string, string>, prefix: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(hash)
      .filter(([field]) => field.startsWith(prefix))
      .map(([field, value]) => [field.slice(prefix.length), Number(value)]),
  );
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
