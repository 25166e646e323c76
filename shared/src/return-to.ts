/** Any origin does: only the path, query and fragment of the parsed URL are kept. */
const BASE = 'http://porter.invalid';

/**
 * Where a browser may be sent after sign-in: only a path on the app's own origin (the open
 * redirect guard of RFC 9700 §4.11). Anything that could leave it becomes `/`: `//evil`,
 * `/\evil`, encoded slashes or backslashes, schemes, control characters, and dot segments that
 * collapse into `//evil` (`/.//evil`, `/%2e//evil`). The result is checked after URL parsing,
 * as a browser would parse it.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048 || !raw.startsWith('/')) return '/';
  // Browsers strip control characters and read a backslash as a slash.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  // Encoded slashes or backslashes may be decoded by a later hop into `//` or `/\`.
  if (/%(2f|5c)/i.test(raw)) return '/';
  let parsed: URL;
  try {
    parsed = new URL(raw, BASE);
  } catch {
    return '/';
  }
  if (parsed.origin !== BASE || parsed.pathname.startsWith('//')) return '/';
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
