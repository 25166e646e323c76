/*
 * Formatting shared by the pages. Server-rendered, so times are shown in UTC and say so: the
 * server's own time zone means nothing to the reader.
 */

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

const day = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});

const count = new Intl.NumberFormat('en-GB');

// Made once: an Intl formatter costs far more to make than to use (about 0.1 ms each, twice per
// dashboard view when it was made per call).
const relative = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto' });

const RELATIVE_UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `12 Mar 2025, 14:05 UTC`, or the input unchanged when it is not a date. */
export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${dateTime.format(time)} UTC`;
}

/** `2025-03-12` → `Wed 12 Mar`, or the input unchanged when it is not such a date. */
export function formatDay(date: string): string {
  const time = CALENDAR_DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(time) ? date : day.format(time);
}

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return count.format(n);
}

/**
 * A share from 0 to 1 as a whole percentage: `0.75` → `75%`. Only exactly 0 and 1 show as `0%`
 * and `100%`; 199 successes out of 200 must not read as "every attempt worked".
 */
export function formatRate(rate: number): string {
  const percent = Math.round(rate * 100);
  const shown = rate > 0 && rate < 1 ? Math.min(99, Math.max(1, percent)) : percent;
  return `${shown}%`;
}

/** `in 25 minutes`, `in 3 hours`, `2 days ago`: how far `iso` is from `now`. */
export function formatRelative(iso: string, now: number): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  const seconds = Math.round((time - now) / 1000);
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, 'second');
}

/** `activeSessions`, `active_sessions`, `active-sessions` → `Active sessions`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
