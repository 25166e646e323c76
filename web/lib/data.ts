import 'server-only';
import { cache } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { AcademicDirectory, MeResponse, OwnSessionsResponse, PeopleSearchResponse, UserSessionsResponse } from '@porter/shared';
import { parseDirectory } from './academic';
import { getConfig } from './config';
import { signInUrl } from './proxy-decision';
import { parseReport } from './reports';
import { parseOwnSessions } from './own-sessions';
import { parsePeopleSearch, parseUserSessions } from './people';
import type { AdminReport } from './reports';
import { lookupSession, sessionCookieHeader } from './session';
import type { SessionLookup } from './session';
import { SESSION_HANDOFF_HEADER, openHandoff } from './session-handoff';

/*
 * The pages' only way to the BFF. Every read forwards the visitor's session cookie and lets the
 * BFF decide again: the proxy may have been bypassed or may be wrong, so a page never relies on
 * it having run. The one answer a page may take from the proxy is the BFF's own `/auth/me`
 * answer for this request's cookie, handed over under a MAC (lib/session-handoff.ts).
 */

// From the raw header, so the value reaches the BFF byte for byte (`cookies()` decodes it).
async function sessionCookie(): Promise<string | null> {
  return sessionCookieHeader((await headers()).get('cookie'));
}

/**
 * Who the visitor is, asked once per request (layout and page share the answer). No session
 * cookie means anonymous without a call; the BFF's answer the proxy fetched for this very
 * request and cookie moments ago (a valid handoff) means no second call. On /dashboard and
 * /account with a session cookie the proxy does not run (proxy.ts), so this is the view's one
 * lookup; the handoff serves the pages the proxy still looks up for (the home page, /admin).
 */
export const getSession = cache(async (): Promise<SessionLookup> => {
  const requestHeaders = await headers();
  const cookie = sessionCookieHeader(requestHeaders.get('cookie'));
  if (cookie === null) return { status: 'anonymous' };
  const handedOver = openHandoff(requestHeaders.get(SESSION_HANDOFF_HEADER), cookie);
  if (handedOver) return { status: 'signed-in', me: handedOver };
  const { bffUrl, sessionLookupTimeoutMs } = getConfig();
  const session = await lookupSession(cookie, { bffUrl, timeoutMs: sessionLookupTimeoutMs });
  if (session.status === 'unavailable') console.warn(`porter/web: ${session.reason}`);
  return session;
});

/**
 * For a protected page: the signed-in visitor, or a redirect to interactive sign-in that brings
 * them back to `returnTo`. `unavailable` when the BFF cannot say; the page shows the 503 view.
 */
export async function requireSession(returnTo: string): Promise<MeResponse | 'unavailable'> {
  const session = await getSession();
  if (session.status === 'anonymous') redirect(signInUrl(returnTo, { silent: false }));
  return session.status === 'signed-in' ? session.me : 'unavailable';
}

/** A JSON read from the BFF as the visitor: its body, or why there is none. */
export type BffRead<T> =
  | { readonly status: 'ok'; readonly body: T }
  | { readonly status: 'forbidden' }
  | { readonly status: 'unavailable' };

/**
 * `GET {BFF_URL}{path}` as the visitor (their session cookie forwarded). A 401 sends them to
 * sign in and back to `returnTo`; a 403 is `forbidden`; anything else that is not a 200 with a
 * body `parse` accepts is `unavailable` (logged), so the page shows its 503 view.
 */
async function bffRead<T>(path: string, returnTo: string, parse: (body: unknown) => T, timeoutFactor = 1): Promise<BffRead<T>> {
  const cookie = await sessionCookie();
  if (cookie === null) redirect(signInUrl(returnTo, { silent: false }));
  const { bffUrl, sessionLookupTimeoutMs } = getConfig();
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${bffUrl}${path}`, {
      headers: { accept: 'application/json', cookie },
      cache: 'no-store',
      redirect: 'manual',
      signal: AbortSignal.timeout(sessionLookupTimeoutMs * timeoutFactor),
    });
    text = await response.text();
  } catch (error) {
    console.warn(`porter/web: ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 'unavailable' };
  }
  if (response.status === 401) redirect(signInUrl(returnTo, { silent: false }));
  if (response.status === 403) return { status: 'forbidden' };
  if (response.status !== 200) {
    console.warn(`porter/web: ${path} answered ${response.status}`);
    return { status: 'unavailable' };
  }
  try {
    return { status: 'ok', body: parse(text === '' ? null : JSON.parse(text)) };
  } catch (error) {
    // Not JSON, or not the expected shape: a server of another version, most likely.
    console.warn(`porter/web: ${path} answered 200 with an unusable body: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 'unavailable' };
  }
}

/** `GET /api/admin/reports` as the visitor (reports may take longer to build than a lookup). */
export function getAdminReport(returnTo: string): Promise<BffRead<AdminReport>> {
  return bffRead('/api/admin/reports', returnTo, parseReport, 5);
}

/** `GET /api/admin/users?q=`: people with live sessions whose name or email begins with `query` (admins). */
export function searchPeople(query: string, returnTo: string): Promise<BffRead<PeopleSearchResponse>> {
  return bffRead(`/api/admin/users?q=${encodeURIComponent(query)}`, returnTo, parsePeopleSearch);
}

/** `GET /api/admin/users/:sub/sessions`: one person's live sessions (admins). */
export function getUserSessions(sub: string, returnTo: string): Promise<BffRead<UserSessionsResponse>> {
  return bffRead(`/api/admin/users/${encodeURIComponent(sub)}/sessions`, returnTo, parseUserSessions);
}

/** `GET /auth/sessions`: the visitor's own live sessions ("your devices"). */
export function getOwnSessions(returnTo: string): Promise<BffRead<OwnSessionsResponse>> {
  return bffRead('/auth/sessions', returnTo, parseOwnSessions);
}

/**
 * `GET /api/academic/directory` as the visitor: the names behind the faculty and department
 * ids. Null on any failure (no session, Campus One and Porter's copy both unavailable, a slow
 * BFF): the page then shows the ids, so it never fails or waits long for names.
 */
export async function getAcademicDirectory(): Promise<AcademicDirectory | null> {
  const cookie = await sessionCookie();
  if (cookie === null) return null;
  const { bffUrl, sessionLookupTimeoutMs } = getConfig();
  try {
    const response = await fetch(`${bffUrl}/api/academic/directory`, {
      headers: { accept: 'application/json', cookie },
      cache: 'no-store',
      redirect: 'manual',
      signal: AbortSignal.timeout(sessionLookupTimeoutMs),
    });
    const text = await response.text();
    if (response.status !== 200) {
      console.warn(`porter/web: /api/academic/directory answered ${response.status}`);
      return null;
    }
    const directory = parseDirectory(JSON.parse(text));
    if (!directory) console.warn('porter/web: /api/academic/directory answered 200 with an unusable body');
    return directory;
  } catch (error) {
    console.warn(`porter/web: /api/academic/directory failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
