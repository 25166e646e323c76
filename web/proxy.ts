import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';
import { decide } from '@/lib/proxy-decision';
import type { ProxyDecision, RequestFacts } from '@/lib/proxy-decision';
import { lookupSession } from '@/lib/session';
import type { SessionLookup } from '@/lib/session';
import { hearSilentSignIn, heardSilentSignIn } from '@/lib/silent-sign-in';
import { SESSION_HANDOFF_HEADER, sealHandoff } from '@/lib/session-handoff';
import { renderStatusPage } from '@/lib/status-page';

// Routing only: lib/proxy-decision.ts decides, and says why.
export async function proxy(request: NextRequest): Promise<Response> {
  const { bffUrl, sessionLookupTimeoutMs, proxyBypassed } = getConfig();
  if (proxyBypassed) return NextResponse.next();
  const facts: RequestFacts = {
    method: request.method,
    pathname: request.nextUrl.pathname,
    search: request.nextUrl.search,
    headers: request.headers,
    silentSignIn: heardSilentSignIn(),
  };
  let step = decide(facts);
  let handoff: { cookie: string; session: SessionLookup } | undefined;
  if (step.type === 'lookup') {
    const session = await lookupSession(step.cookie, { bffUrl, timeoutMs: sessionLookupTimeoutMs });
    if (session.status === 'unavailable') console.warn(`porter/web proxy: ${session.reason}`);
    hearSilentSignIn(session);
    if (step.cookie !== null) handoff = { cookie: step.cookie, session };
    step = decide(facts, session);
  }
  return respond(step, request, handoff);
}

/**
 * Lets Next render the page. A header the client sent under the handoff's name never reaches
 * it; when this request's lookup found a session, the page gets the BFF's answer in that header,
 * under a MAC (lib/session-handoff.ts), so it need not ask the BFF a second time.
 */
function render(request: NextRequest, handoff?: { cookie: string; session: SessionLookup }): Response {
  const signedIn = handoff?.session.status === 'signed-in' ? handoff.session.me : null;
  if (!signedIn && !request.headers.has(SESSION_HANDOFF_HEADER)) return NextResponse.next();
  const headers = new Headers(request.headers);
  if (signedIn && handoff) headers.set(SESSION_HANDOFF_HEADER, sealHandoff(signedIn, handoff.cookie));
  else headers.delete(SESSION_HANDOFF_HEADER);
  return NextResponse.next({ request: { headers } });
}

function respond(decision: ProxyDecision, request: NextRequest, handoff?: { cookie: string; session: SessionLookup }): Response {
  const { pathname, search } = request.nextUrl;
  switch (decision.type) {
    case 'next':
      return render(request, handoff);
    case 'forward': {
      const { bffUrl, builtBffUrl } = getConfig();
      // next.config.ts rewrites carry these paths to the BFF_URL of the build. Only when this
      // process was started with another one does the proxy forward them itself (Next then
      // shows the target in an `x-middleware-rewrite` response header).
      if (bffUrl === builtBffUrl) return NextResponse.next();
      return NextResponse.rewrite(new URL(`${pathname}${search}`, bffUrl));
    }
    case 'redirect': {
      const response = NextResponse.redirect(new URL(decision.location, request.url));
      response.headers.set('cache-control', 'no-store');
      return response;
    }
    case 'status':
      return new NextResponse(renderStatusPage(decision.status, { name: decision.name, path: `${pathname}${search}` }), {
        status: decision.status,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      });
  }
}

export const config = {
  // Only what the proxy may have to decide on:
  // - never Next's own `/_next/` paths, nor a file (a last segment with an extension: icon.svg,
  //   favicon.ico, robots.txt), which lib/proxy-decision.ts would let through anyway. Under
  //   /auth, /api, /webhooks and /sso files still pass through it, to reach a BFF_URL that
  //   differs from the build's.
  // - a protected page (/dashboard, /account, without a trailing slash) only when the request
  //   carries no session cookie: then the proxy asks the BFF whether it is up and sends the
  //   visitor to sign in (or answers 503). With a session cookie it would only let the page run:
  //   the page asks the BFF itself (lib/data.ts: one lookup, sign-in redirect on 401, the 503
  //   view when the BFF cannot say), so the proxy is skipped and costs nothing.
  // A request it matches costs a proxy run even when it decides at once. Next reads this object
  // statically, so the cookie names are spelled out; test/unit/proxy-matcher.test.ts checks them
  // against SESSION_COOKIE and what the matcher matches, compiled by Next itself.
  matcher: [
    '/((?!_next/|(?:dashboard|account)(?:/[^/]+)*$|(?!auth/|api/|webhooks/|sso/)(?:.*/)?[^/]*\\.[A-Za-z0-9]+$).*)',
    {
      source: '/((?:dashboard|account)(?:/[^/]+)*)',
      missing: [
        { type: 'cookie', key: 'porter.sid' },
        { type: 'cookie', key: '__Host-porter.sid' },
      ],
    },
  ],
};
