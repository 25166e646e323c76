import { describe, expect, it } from 'vitest';
import { parseReport } from '@/lib/reports';
import { reportJson } from './report-fixtures';

type Json = Record<string, unknown>;
type ReportJson = Json & { days: Json[]; recentChanges: Json[]; activeSessions: Json };

/** A valid report with one field changed by `edit`. */
function edited(edit: (report: ReportJson) => void): unknown {
  const report = reportJson() as ReportJson;
  edit(report);
  return report;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseReport', () => {
  it('returns a report the server sent unchanged', () => {
    const json = reportJson();
    expect(parseReport(json)).toEqual(json);
  });

  it('accepts a report with no days, sessions or changes', () => {
    expect(() => parseReport(reportJson({ days: [], activeSessions: { total: 0, byRole: {} }, recentChanges: [] }))).not.toThrow();
  });

  it.each([
    ['an empty body', null, '"report" must be an object'],
    ['a list', [], '"report" must be an object'],
    ['the placeholder shape', { activeSessions: 3 }, '"generatedAt" must be a string'],
    ['days missing', edited((r) => delete (r as Json).days), '"days" must be an array'],
    ['a count as text', edited((r) => (r.days[1]!.signIns = '3')), '"days[1].signIns" must be a whole number, 0 or more'],
    ['a negative count', edited((r) => (r.days[0]!.failures = -1)), '"days[0].failures" must be a whole number, 0 or more'],
    [
      'a role count that is not a number',
      edited((r) => (r.days[1]!.signInsByRole = { staff: null })),
      '"days[1].signInsByRole.staff" must be a whole number, 0 or more',
    ],
    [
      'a success rate above 1',
      edited((r) => (r.days[1]!.silentSuccessRate = 50)),
      '"days[1].silentSuccessRate" must be a number from 0 to 1, or null',
    ],
    [
      'sessions by role as a list',
      edited((r) => (r.activeSessions.byRole = [])),
      '"activeSessions.byRole" must be an object',
    ],
    [
      'an unknown kind of change',
      edited((r) => (r.recentChanges[0]!.kind = 'deleted')),
      '"recentChanges[0].kind" must be one of "role_changed", "revoked"',
    ],
    [
      'an unknown source',
      edited((r) => (r.recentChanges[1]!.source = 'cron')),
      '"recentChanges[1].source" must be one of "webhook", "backchannel_logout", "admin"',
    ],
    ['a missing name', edited((r) => delete r.recentChanges[0]!.name), '"recentChanges[0].name" must be a string or null'],
  ])('throws a TypeError naming the field for %s', (_case, json, message) => {
    const error = thrownBy(() => parseReport(json));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe(message);
  });
});
