import { ANON_MARKER_COOKIE, REPORT_ROLES, SESSION_ADMIN_ROLES, hasAnyRole, safeReturnTo } from '@porter/shared';
import { parseCookieHeader, sessionCookieHeader } from './session';
import type { SessionLookup } from './session';

/**
 * The proxy's routing decision, as a pure function: `proxy.ts` only gathers the request's facts,
 * performs the one lookup this function may ask for, and turns the decision into a response.
 *
 * This is routing, not the security boundary: every page asks the BFF again for its own data.
 */

/** What the proxy knows about a request before talking to anyone. */
export interface RequestFacts {
  readonly method: string;
  /** The path as Next normalised it (no `_rsc` query, no basePath). */
  readonly pathname: string;
  /** `''` or `?a=b`. */
  readonly search: string;
  readonly headers: { get(name: string): string | null };
  /**
   * `false` when the BFF said lately that its identity provider has no silent sign-in
   * (lib/silent-sign-in.ts): then no public page ever needs a lookup.
   */
  readonly silentSignIn?: false | undefined;
}

export type ProxyDecision =
  /** Let Next render the route (or serve the file). */
  | { readonly type: 'next' }
  /** Hand the request to the BFF unchanged (`/auth/*`, `/api/*`, `/webhooks/*`, `/sso/*`). */
  | { readonly type: 'forward' }
  /** Send the browser to sign in, or to the path without its trailing slash. `location` is a path on this app's origin. */
  | { readonly type: 'redirect'; readonly location: string }
  /** Answer with the 403 or 503 page, keeping the URL. `name`: the signed-in visitor's, for the 403 page. */
  | { readonly type: 'status'; readonly status: 403 | 503; readonly name?: string };

/** Ask the BFF `GET /auth/me`, forwarding `cookie` (null: ask anonymously), then decide again. */
export type LookupStep = { readonly type: 'lookup'; readonly cookie: string | null };

export type Route = 'bff' | 'skip' | 'public' | 'protected' | 'admin';

// `/sso`: a django-sso gateway's fixed paths on the service (`/sso/accept/`, `/sso/event/`).
const BFF_PREFIXES = ['/auth', '/api', '/webhooks', '/sso'] as const;
const SKIP_PREFIXES = ['/_next'] as const;
const PROTECTED_PREFIXES = ['/dashboard', '/account'] as const;
const ADMIN_PREFIXES = ['/admin'] as const;

const NEXT: ProxyDecision = Object.freeze({ type: 'next' });

function underAny(pathname: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** Roles an admin page needs: people and their sessions are for admins only, reports for staff too. */
export function rolesForAdminPath(pathname: string): readonly string[] {
  return underAny(pathname.toLowerCase(), ['/admin/users']) ? SESSION_ADMIN_ROLES : REPORT_ROLES;
}

/** Which kind of route a path is. Case-insensitive, so `/Admin` is no way around the role check. */
export function classifyPath(pathname: string): Route {
  const path = pathname.toLowerCase();
  if (underAny(path, BFF_PREFIXES)) return 'bff';
  if (underAny(path, SKIP_PREFIXES)) return 'skip';
  // A last segment with an extension is a file (favicon.ico, robots.txt), not a page.
  if (/\.[a-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1))) return 'skip';
  if (underAny(path, ADMIN_PREFIXES)) return 'admin';
  if (underAny(path, PROTECTED_PREFIXES)) return 'protected';
  return 'public';
}

/**
 * True for a top-level page load the browser will follow a redirect for: a GET that is neither a
 * prefetch nor a client-side (RSC) navigation nor a data request. Browsers say so with
 * `Sec-Fetch-Mode: navigate`; clients that send no `Sec-Fetch-*` headers are judged by `Accept`.
 *
 * Next strips its own `RSC` and `Next-Router-Prefetch` headers before the proxy runs; they are
 * checked anyway in case that ever changes, and `Sec-Fetch-Mode` (`cors` for Next's fetches)
 * is what actually tells a client-side navigation apart.
 */
export function isPageNavigation(facts: RequestFacts): boolean {
  if (facts.method !== 'GET') return false;
  const h = facts.headers;
  if (h.get('rsc') !== null || h.get('next-router-prefetch') !== null || h.get('x-nextjs-data') !== null) {
    return false;
  }
  const purpose = `${h.get('sec-purpose') ?? ''} ${h.get('purpose') ?? ''}`.toLowerCase();
  if (purpose.includes('prefetch') || purpose.includes('prerender')) return false;
  const mode = h.get('sec-fetch-mode');
  if (mode !== null) return mode === 'navigate';
  return (h.get('accept') ?? '').includes('text/html');
}

/**
 * Where to send a visitor to sign in. `returnTo` is where the BFF sends them afterwards, checked
 * by the same rule the BFF applies again (`safeReturnTo` in `@porter/shared`).
 */
export function signInUrl(returnTo: string, options: { silent: boolean }): string {
  const params = new URLSearchParams({ returnTo: safeReturnTo(returnTo) });
  if (options.silent) params.set('prompt', 'none');
  return `/auth/login?${params.toString()}`;
}

/**
 * Decides what to do with a request. Without `session`, it either decides at once or asks for a
 * lookup; with `session` (the lookup's result) it always decides.
 *
 * The BFF is asked only when its answer can change the outcome:
 * - a session cookie is present on a page that needs one or may redirect; or
 * - with no cookie, just before sending the visitor to sign in, to learn whether the BFF is up.
 *   Sending a visitor to a dead `/auth/login` would show Next's bare 500 instead of the public
 *   page or the 503 page. An anonymous page that renders costs no call at all.
 */
export function decide(facts: RequestFacts): ProxyDecision | LookupStep;
export function decide(facts: RequestFacts, session: SessionLookup): ProxyDecision;
export function decide(facts: RequestFacts, session?: SessionLookup): ProxyDecision | LookupStep {
  const route = classifyPath(facts.pathname);
  if (route === 'bff') return { type: 'forward' };
  const withoutSlash = withoutTrailingSlash(facts.pathname);
  if (withoutSlash !== facts.pathname) return { type: 'redirect', location: `${withoutSlash}${facts.search}` };
  if (route === 'skip') return NEXT;

  const navigation = isPageNavigation(facts);
  const cookieHeader = facts.headers.get('cookie');
  const cookie = sessionCookieHeader(cookieHeader);
  const marker = parseCookieHeader(cookieHeader).has(ANON_MARKER_COOKIE);
  const returnTo = `${facts.pathname}${facts.search}`;

  if (session === undefined) {
    // Public page the visitor may not be sent away from: whoever they are, it renders.
    // Without silent sign-in (django-sso) a public page never sends anyone away: no lookup either.
    if (route === 'public' && (marker || !navigation || facts.silentSignIn === false)) return NEXT;
    // Anonymous for certain, and no redirect to make: the page re-checks and redirects itself.
    if (cookie === null && !navigation) return NEXT;
    return { type: 'lookup', cookie };
  }

  switch (session.status) {
    case 'signed-in':
      if (route === 'admin' && !hasAnyRole(session.me.user, rolesForAdminPath(facts.pathname))) {
        return { type: 'status', status: 403, name: session.me.user.name };
      }
      return NEXT;
    case 'anonymous':
      if (!navigation) return NEXT;
      if (route === 'public') {
        // No silent attempt after a failed one (the marker), nor where the provider has none.
        return marker || session.silentSignIn === false ? NEXT : { type: 'redirect', location: signInUrl(returnTo, { silent: true }) };
      }
      return { type: 'redirect', location: signInUrl(returnTo, { silent: false }) };
    case 'unavailable':
      return route === 'public' ? NEXT : { type: 'status', status: 503 };
  }
}

/**
 * `pathname` as Next's own trailing-slash redirect leaves it (next.config.ts turns that off for
 * the BFF's sake): no trailing slash, and never a leading `//`, which a browser would read as
 * another host.
 */
export function withoutTrailingSlash(pathname: string): string {
  if (pathname === '/' || !pathname.endsWith('/')) return pathname;
  return `/${pathname.replace(/^\/+|\/+$/g, '')}`;
}

/**
 * `/path?a=1&b=2` from a page's path and its (decoded) `searchParams`, for `returnTo`. Each name
 * and value is encoded as little as a query allows (RFC 3986 §3.4): `/`, `:`, `@`, `?` and the
 * like stay as they are, so `?path=/a/b` comes back as `?path=/a/b`, not `?path=%2Fa%2Fb`.
 */
export function pathWithQuery(
  pathname: string,
  searchParams: Readonly<Record<string, string | readonly string[] | undefined>>,
): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(searchParams)) {
    for (const item of typeof value === 'string' ? [value] : (value ?? [])) pairs.push(`${queryPart(key)}=${queryPart(item)}`);
  }
  return pairs.length > 0 ? `${pathname}?${pairs.join('&')}` : pathname;
}

/** Characters a query may carry unencoded that `encodeURIComponent` encodes anyway (never `&`, `=`, `+`, `#`). */
const QUERY_SAFE = /%(2F|3A|40|3F|2C|3B|24)/g;

function queryPart(text: string): string {
  return encodeURIComponent(text).replace(QUERY_SAFE, (escape) => decodeURIComponent(escape));
}
