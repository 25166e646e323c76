import { formatDateTime, humanize, isIsoDateTime } from './format';

/*
 * The seam for `GET /admin/reports`. Its type is not in @porter/shared yet (it comes with the
 * roles-and-webhooks issue), so the page treats the body as unknown JSON and shows whatever
 * facts and lists it holds. When `AdminReport` lands in shared:
 *   1. replace the `AdminReport` alias below with `export type { AdminReport } from '@porter/shared'`;
 *   2. make `parseReport` check the shape (and throw on a mismatch);
 *   3. either keep `reportBlocks` or give the page purpose-built sections.
 * Nothing outside this file and app/(app)/admin/reports/ needs to change.
 */

/** Placeholder until @porter/shared exports the report's type. */
export type AdminReport = unknown;

/** Accepts the parsed JSON body of a 200 answer. */
export function parseReport(json: unknown): AdminReport {
  return json;
}

/** A group of single values (`Active sessions: 3`). */
export interface FactsBlock {
  readonly kind: 'facts';
  readonly title: string | null;
  readonly items: ReadonlyArray<{ readonly label: string; readonly value: string }>;
}

/** A list of records (or of single values) shown as a table; `rows` may be empty. */
export interface TableBlock {
  readonly kind: 'table';
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

export type ReportBlock = FactsBlock | TableBlock;

const MAX_DEPTH = 3;

/**
 * Lays any JSON value out as facts and tables: scalars of an object become facts, arrays become
 * tables (columns from every key the rows use, in first-seen order), nested objects become their
 * own titled groups. An empty report gives no blocks at all.
 */
export function reportBlocks(report: AdminReport): ReportBlock[] {
  if (report === null || report === undefined) return [];
  if (Array.isArray(report)) return report.length === 0 ? [] : [table('Report', report)];
  if (!isRecord(report)) return [{ kind: 'facts', title: null, items: [{ label: 'Report', value: cell(report) }] }];
  return objectBlocks(null, report, 0);
}

function objectBlocks(title: string | null, object: Record<string, unknown>, depth: number): ReportBlock[] {
  const items: Array<{ label: string; value: string }> = [];
  const nested: ReportBlock[] = [];
  for (const [key, value] of Object.entries(object)) {
    const label = humanize(key);
    const nestedTitle = title === null ? label : `${title}: ${label}`;
    if (Array.isArray(value)) {
      nested.push(table(nestedTitle, value));
    } else if (isRecord(value) && depth < MAX_DEPTH) {
      nested.push(...objectBlocks(nestedTitle, value, depth + 1));
    } else {
      items.push({ label, value: cell(value) });
    }
  }
  const facts: ReportBlock[] = items.length > 0 ? [{ kind: 'facts', title, items }] : [];
  return [...facts, ...nested];
}

function table(title: string, rows: readonly unknown[]): TableBlock {
  if (rows.length > 0 && rows.every(isRecord)) {
    const columns: string[] = [];
    for (const row of rows) {
      for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
    }
    return {
      kind: 'table',
      title,
      columns: columns.map(humanize),
      rows: rows.map((row) => columns.map((key) => (key in row ? cell(row[key]) : ''))),
    };
  }
  return { kind: 'table', title, columns: ['Value'], rows: rows.map((value) => [cell(value)]) };
}

/** One value as text: dates readable, numbers grouped, anything structured as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return Number.isFinite(value) ? value.toLocaleString('en-GB') : String(value);
  if (typeof value === 'string') return isIsoDateTime(value) ? formatDateTime(value) : value;
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
