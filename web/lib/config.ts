/**
 * The web app's configuration, parsed once from the environment. Nothing else in `web/` reads
 * `process.env`.
 *
 * `BFF_URL` is read twice, at two moments:
 * - by next.config.ts during `next build` (or `next dev`), for the `/auth`, `/api` and
 *   `/webhooks` rewrites, which Next freezes into .next/routes-manifest.json; that value is also
 *   compiled into the app as `PORTER_BUILT_BFF_URL`;
 * - by the running server (`next start`), here, when the first request needs it.
 * When the two differ, proxy.ts forwards those paths to the running value itself.
 */
export interface WebConfig {
  /** The BFF's internal origin, e.g. `http://127.0.0.1:4000`, without a trailing slash. */
  readonly bffUrl: string;
  /** The `bffUrl` the rewrites were built with, when known. */
  readonly builtBffUrl: string | undefined;
  /** How long a `/auth/me` call may take before the BFF counts as unavailable. */
  readonly sessionLookupTimeoutMs: number;
  /**
   * `PORTER_BENCH_BYPASS_PROXY=1`: proxy.ts lets every request through untouched, so bench/proxy.ts
   * can measure what the proxy costs against the same build without it. For that benchmark only:
   * it turns off silent sign-in and the proxy's 403 and 503 answers (the pages still check).
   */
  readonly proxyBypassed: boolean;
}

export const DEFAULT_BFF_URL = 'http://127.0.0.1:4000';
const SESSION_LOOKUP_TIMEOUT_MS = 2_000;

/** Parses the environment, reporting every problem at once. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): WebConfig {
  const problems: string[] = [];
  const raw = env.BFF_URL?.trim() || DEFAULT_BFF_URL;
  let bffUrl = DEFAULT_BFF_URL;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`BFF_URL must be an absolute http(s) URL such as ${DEFAULT_BFF_URL}, got "${raw}"`);
  }
  if (url) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push(`BFF_URL must use http: or https:, got "${url.protocol}"`);
    }
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      problems.push(`BFF_URL must be an origin only (no path, query, fragment or credentials), got "${raw}"`);
    }
    bffUrl = url.origin;
  }
  if (problems.length > 0) {
    throw new TypeError(`Invalid web configuration:\n- ${problems.join('\n- ')}`);
  }
  return Object.freeze({
    bffUrl,
    builtBffUrl: env.PORTER_BUILT_BFF_URL || undefined,
    sessionLookupTimeoutMs: SESSION_LOOKUP_TIMEOUT_MS,
    proxyBypassed: env.PORTER_BENCH_BYPASS_PROXY === '1',
  });
}

let loaded: WebConfig | undefined;

/** The configuration of this process, parsed on first use. */
export function getConfig(): WebConfig {
  loaded ??= parseConfig({
    BFF_URL: process.env.BFF_URL,
    // A literal after `next build` (next.config.ts `env`), not read at run time.
    PORTER_BUILT_BFF_URL: process.env.PORTER_BUILT_BFF_URL,
    PORTER_BENCH_BYPASS_PROXY: process.env.PORTER_BENCH_BYPASS_PROXY,
  });
  if (loaded.proxyBypassed) console.warn('porter/web: PORTER_BENCH_BYPASS_PROXY=1: the proxy is off (benchmark only)');
  return loaded;
}
