/*
 * Checks for JSON bodies from the BFF, each throwing a `TypeError` that names the field by its
 * path (`"days[3].signIns" must be ...`). The server and this app are deployed separately: a body
 * of another shape must give a page's 503 view and a log line, not `undefined` on the page.
 */

export function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`"${at}" must be an object`);
  return value as Record<string, unknown>;
}

export function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`"${at}" must be an array`);
  return value;
}

export function text(value: unknown, at: string): void {
  if (typeof value !== 'string') throw new TypeError(`"${at}" must be a string`);
}

export function textOrNull(value: unknown, at: string): void {
  if (value !== null && typeof value !== 'string') throw new TypeError(`"${at}" must be a string or null`);
}

export function count(value: unknown, at: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new TypeError(`"${at}" must be a whole number, 0 or more`);
}

export function countsByKey(value: unknown, at: string): void {
  for (const [key, n] of Object.entries(record(value, at))) count(n, `${at}.${key}`);
}

export function oneOf(value: unknown, allowed: ReadonlySet<string>, at: string): void {
  if (typeof value !== 'string' || !allowed.has(value)) {
    throw new TypeError(`"${at}" must be one of ${[...allowed].map((v) => `"${v}"`).join(', ')}`);
  }
}
