import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';

/** Percent-encoded `/`, `\` and NUL, which an upstream may decode into a separator or a terminator. */
const ENCODED_SEPARATOR = /%(2f|5c|00)/i;
/** A backslash (some servers read it as `/`), or any control character (NUL included). */
// eslint-disable-next-line no-control-regex
const RAW_FORBIDDEN = /[\\\u0000-\u001f\u007f]/;
/** A `%` not followed by two hex digits: an upstream could decode it either way. */
const BROKEN_ESCAPE = /%(?![0-9a-f]{2})/i;

/**
 * The upstream URL for a request under an API proxy route: `base` (no trailing `/`) with the
 * path after the route's prefix appended and the query passed byte for byte. `rest` is that
 * remainder as it arrived (`''`, or starting with `/` or `?`).
 *
 * Throws 400 `porter/bad_path` for anything that could climb out of the base path or that an
 * upstream might read differently from Porter: a `.` or `..` segment, raw or percent-encoded in
 * any case (`%2e%2e`, `.%2E`), an encoded slash or backslash (`%2f`, `%5c`), a backslash, NUL or
 * another control character, a malformed escape, or a second `?`. RFC 3986 §3.3 and §5.2.4 are
 * why dot segments matter: a client or upstream that removes them walks up the base path.
 */
export function upstreamUrl(base: string, rest: string): string {
  const queryAt = rest.indexOf('?');
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt);
  if (query.indexOf('?', 1) !== -1) throw badPath('a second "?"');
  if (RAW_FORBIDDEN.test(rest) || ENCODED_SEPARATOR.test(path)) throw badPath('a backslash, control character or encoded separator');
  if (BROKEN_ESCAPE.test(path)) throw badPath('a malformed percent escape');
  for (const segment of path.split('/')) {
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') throw badPath('a "." or ".." segment');
  }
  return `${base}${path}${query}`;
}

function badPath(what: string): AppError {
  return new AppError(400, ErrorCode.BadPath, `The path holds ${what}, which Porter does not forward.`);
}
