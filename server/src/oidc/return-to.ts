/**
 * Where to send the browser after sign-in: only a path on the app's own origin. Anything that
 * could leave it (`//evil`, `/\evil`, encoded slashes or backslashes, schemes, control
 * characters) becomes `/`. The check runs on the URL as a browser would parse it.
 */
export function safeReturnTo(raw: unknown, appUrl: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  // Control characters and backslashes are stripped or turned into slashes by browsers.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  // Encoded slashes or backslashes may be decoded by a later hop into `//` or `/\`.
  if (/%(2f|5c)/i.test(raw)) return '/';
  const origin = new URL(appUrl).origin;
  let parsed: URL;
  try {
    parsed = new URL(raw, origin);
  } catch {
    return '/';
  }
  if (parsed.origin !== origin) return '/';
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
