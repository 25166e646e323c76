import 'server-only';
import { cache } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { MeResponse } from '@porter/shared';
import { getConfig } from './config';
import { signInUrl } from './proxy-decision';
import { parseReport } from './reports';
import type { AdminReport } from './reports';
import { lookupSession, parseCookieHeader, sessionCookieHeader } from './session';
import type { SessionLookup } from './session';

/*
 * The pages' only way to the BFF. Every read forwards the visitor's session cookie and lets the
 * BFF decide again: the proxy may have been bypassed or may be wrong, so a page never relies on
 * it having run.
 */

// From the raw header, so the value reaches the BFF byte for byte (`cookies()` decodes it).
async function sessionCookie(): Promise<string | null> {
  return sessionCookieHeader(parseCookieHeader((await headers()).get('cookie')));
}

/**
 * Who the visitor is, asked once per request (layout and page share the answer). No session
 * cookie means anonymous without a call.
 */
export const getSession = cache(async (): Promise<SessionLookup> => {
  const cookie = await sessionCookie();
  if (cookie === null) return { status: 'anonymous' };
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

export type ReportResult =
  | { readonly status: 'ok'; readonly report: AdminReport }
  | { readonly status: 'forbidden' }
  | { readonly status: 'unavailable' };

/** `GET /admin/reports` as the visitor. A 401 sends them to sign in; a 403 is the 403 view. */
export async function getAdminReport(returnTo: string): Promise<ReportResult> {
  const cookie = await sessionCookie();
  if (cookie === null) redirect(signInUrl(returnTo, { silent: false }));
  const { bffUrl, sessionLookupTimeoutMs } = getConfig();
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${bffUrl}/admin/reports`, {
      headers: { accept: 'application/json', cookie },
      cache: 'no-store',
      redirect: 'manual',
      // Reports may take longer to build than a session lookup.
      signal: AbortSignal.timeout(sessionLookupTimeoutMs * 5),
    });
    text = await response.text();
  } catch (error) {
    console.warn(`porter/web: /admin/reports failed: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 'unavailable' };
  }
  if (response.status === 401) redirect(signInUrl(returnTo, { silent: false }));
  if (response.status === 403) return { status: 'forbidden' };
  if (response.status !== 200) {
    console.warn(`porter/web: /admin/reports answered ${response.status}`);
    return { status: 'unavailable' };
  }
  try {
    return { status: 'ok', report: parseReport(text === '' ? null : JSON.parse(text)) };
  } catch (error) {
    // Not JSON, or not an AdminReport: a server of another version, most likely.
    console.warn(`porter/web: /admin/reports answered 200 with an unusable body: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 'unavailable' };
  }
}
