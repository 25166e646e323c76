/** Any origin does: only the path of the parsed URL is kept. */
const BASE = 'http://porter.invalid';

/** The longest `returnTo` accepted, in characters (path, query and fragment together). */
export const RETURN_TO_MAX_LENGTH = 2048;

/**
 * Where a browser may be sent after sign-in: only a path on the app's own origin (the open
 * redirect guard of RFC 9700 §4.11). Anything that could leave it becomes `/`: `//evil`,
 * `/\evil`, encoded slashes or backslashes in the path, schemes, control characters, and dot
 * segments that collapse into `//evil` (`/.//evil`, `/%2e//evil`). The path is checked after URL
 * parsing, as a browser would parse it.
 *
 * Only the path can move a URL to another origin: once a path-absolute URL's path has begun,
 * nothing after `?` changes where it points (RFC 3986 §4.2). So the query and fragment are
 * carried byte for byte (`?next=%2Fadmin`, `?file=a%2Fb`, `?date=2026/11/29` come back as they
 * went), and only control characters are refused there, since browsers strip them.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > RETURN_TO_MAX_LENGTH || !raw.startsWith('/')) return '/';
  // Browsers strip control characters from a URL before parsing it.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(raw)) return '/';
  const end = raw.search(/[?#]/);
  const path = end === -1 ? raw : raw.slice(0, end);
  const rest = end === -1 ? '' : raw.slice(end);
  // Browsers read a backslash in the path as a slash; encoded slashes or backslashes may be
  // decoded by a later hop into `//` or `/\`.
  if (path.includes('\\') || /%(2f|5c)/i.test(path)) return '/';
  let parsed: URL;
  try {
    parsed = new URL(path, BASE);
  } catch {
    return '/';
  }
  if (parsed.origin !== BASE || parsed.pathname.startsWith('//')) return '/';
  return `${parsed.pathname}${rest}`;
}
