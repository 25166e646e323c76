import type { AdminReport, ReportDay, SessionChange } from '@porter/shared';
import { count, countsByKey, list, oneOf, record, text, textOrNull } from './checks';

/*
 * The body of `GET /admin/reports`, checked before a page trusts it. The server and this app are
 * built and deployed separately; a server answering another shape should give the 503 view and
 * a log line naming the field, not a page of `undefined` and `NaN`.
 */

export type { AdminReport } from '@porter/shared';

const CHANGE_KINDS: ReadonlySet<string> = new Set<SessionChange['kind']>(['role_changed', 'revoked']);
const CHANGE_SOURCES: ReadonlySet<string> = new Set<SessionChange['source']>(['webhook', 'backchannel_logout', 'admin']);

/**
 * The parsed JSON body of a 200 answer as an {@link AdminReport}. Throws a `TypeError` naming the
 * first field that does not fit, such as `"days[3].signIns" must be a whole number, 0 or more`.
 */
export function parseReport(json: unknown): AdminReport {
  const report = record(json, 'report');
  text(report.generatedAt, 'generatedAt');
  list(report.days, 'days').forEach((day, i) => checkDay(day, `days[${i}]`));
  const active = record(report.activeSessions, 'activeSessions');
  count(active.total, 'activeSessions.total');
  countsByKey(active.byRole, 'activeSessions.byRole');
  list(report.recentChanges, 'recentChanges').forEach((change, i) => checkChange(change, `recentChanges[${i}]`));
  return json as AdminReport;
}

function checkDay(value: unknown, at: string): void {
  const day = record(value, at);
  text(day.date, `${at}.date`);
  const counts: ReadonlyArray<keyof ReportDay> = [
    'signIns',
    'silentSignIns',
    'interactiveSignIns',
    'silentAttempts',
    'silentNoProviderSession',
    'failures',
    'signOuts',
    'revocations',
    'roleChanges',
  ];
  for (const key of counts) count(day[key], `${at}.${key}`);
  countsByKey(day.signInsByRole, `${at}.signInsByRole`);
  countsByKey(day.failuresByReason, `${at}.failuresByReason`);
  const rate = day.silentSuccessRate;
  if (rate !== null && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
    throw new TypeError(`"${at}.silentSuccessRate" must be a number from 0 to 1, or null`);
  }
}

function checkChange(value: unknown, at: string): void {
  const change = record(value, at);
  text(change.at, `${at}.at`);
  oneOf(change.kind, CHANGE_KINDS, `${at}.kind`);
  text(change.sub, `${at}.sub`);
  oneOf(change.source, CHANGE_SOURCES, `${at}.source`);
  for (const key of ['name', 'event', 'actor', 'previousRole', 'newRole'] as const) textOrNull(change[key], `${at}.${key}`);
  count(change.sessions, `${at}.sessions`);
}
