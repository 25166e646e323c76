import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';
import { decide } from '@/lib/proxy-decision';
import type { ProxyDecision, RequestFacts } from '@/lib/proxy-decision';
import { lookupSession } from '@/lib/session';
import { hearSilentSignIn, heardSilentSignIn } from '@/lib/silent-sign-in';
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
  if (step.type === 'lookup') {
    const session = await lookupSession(step.cookie, { bffUrl, timeoutMs: sessionLookupTimeoutMs });
    if (session.status === 'unavailable') console.warn(`porter/web proxy: ${session.reason}`);
    hearSilentSignIn(session);
    step = decide(facts, session);
  }
  return respond(step, request);
}

function respond(decision: ProxyDecision, request: NextRequest): Response {
  const { pathname, search } = request.nextUrl;
  switch (decision.type) {
    case 'next':
      return NextResponse.next();
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
  // Everything but Next's build assets; lib/proxy-decision.ts sorts out the rest.
  matcher: ['/((?!_next/static|_next/image).*)'],
};
