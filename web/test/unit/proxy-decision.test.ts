import { describe, expect, it } from 'vitest';
import type { MeResponse } from '@porter/shared';
import { classifyPath, decide, isPageNavigation, pathWithQuery, signInUrl, withoutTrailingSlash } from '@/lib/proxy-decision';
import type { RequestFacts } from '@/lib/proxy-decision';
import type { SessionLookup } from '@/lib/session';
import { user } from './users';

// A browser's top-level page load.
const NAVIGATION = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
// Next's client-side navigation (its RSC header is stripped before the proxy sees the request).
const CLIENT_FETCH = { accept: '*/*', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' };

function request(path: string, options: { headers?: Record<string, string>; cookie?: string; method?: string } = {}): RequestFacts {
  const url = new URL(path, 'http://app.test');
  const headers = new Headers(options.headers ?? NAVIGATION);
  if (options.cookie !== undefined) headers.set('cookie', options.cookie);
  return { method: options.method ?? 'GET', pathname: url.pathname, search: url.search, headers };
}

function signedIn(role: string, roles?: string[]): SessionLookup {
  const me: MeResponse = {
    user: user(role, roles),
    session: { expiresAt: '2030-01-01T00:00:00Z', absoluteExpiresAt: '2030-01-01T08:00:00Z' },
  };
  return { status: 'signed-in', me };
}

const ANONYMOUS: SessionLookup = { status: 'anonymous' };
const UNAVAILABLE: SessionLookup = { status: 'unavailable', reason: '/auth/me failed: ECONNREFUSED' };
const NEXT = { type: 'next' };

describe('decide: paths the proxy leaves alone', () => {
  it.each(['/auth/login', '/auth/callback?code=x&state=y', '/auth/me', '/auth', '/api/anything', '/webhooks/campus-one', '/sso/accept/', '/sso/event/', '/SSO/accept/'])(
    'forwards %s to the BFF without asking who the visitor is',
    (path) => {
      expect(decide(request(path, { cookie: 'porter.sid=abc' }))).toEqual({ type: 'forward' });
      expect(decide(request(path, { method: 'POST', headers: CLIENT_FETCH }))).toEqual({ type: 'forward' });
    },
  );

  // The API proxy answers 401 JSON itself: a fetch must never get a redirect to sign in.
  it.each(['/api/campus/me/courses', '/API/Campus/me/courses', '/api'])(
    'forwards the API call %s, even as a page navigation with an ended or no session',
    (path) => {
      for (const method of ['GET', 'POST']) {
        const navigation = request(path, { method });
        expect(decide(navigation)).toEqual({ type: 'forward' });
        expect(decide(navigation, ANONYMOUS)).toEqual({ type: 'forward' });
        expect(decide(request(path, { method, cookie: 'porter.sid=ended' }), ANONYMOUS)).toEqual({ type: 'forward' });
      }
    },
  );

  it.each(['/_next/static/chunks/app.js', '/_next/image?url=x', '/_next/data/build/index.json', '/favicon.ico', '/robots.txt', '/icon.svg', '/admin/logo.png'])(
    'lets Next serve %s without a lookup',
    (path) => {
      expect(decide(request(path))).toEqual(NEXT);
      expect(decide(request(path, { cookie: 'porter.sid=abc' }))).toEqual(NEXT);
    },
  );

  it('does not mistake look-alike paths for BFF or protected routes', () => {
    expect(classifyPath('/authors')).toBe('public');
    expect(classifyPath('/apis')).toBe('public');
    expect(classifyPath('/dashboards')).toBe('public');
    expect(classifyPath('/administration')).toBe('public');
    expect(classifyPath('/ssonews')).toBe('public');
  });

  it('classifies protected and role-gated paths whatever their case', () => {
    expect(classifyPath('/dashboard')).toBe('protected');
    expect(classifyPath('/dashboard/settings')).toBe('protected');
    expect(classifyPath('/account')).toBe('protected');
    expect(classifyPath('/admin')).toBe('admin');
    expect(classifyPath('/admin/reports')).toBe('admin');
    expect(classifyPath('/Admin/Reports')).toBe('admin');
    expect(classifyPath('/DASHBOARD')).toBe('protected');
    expect(classifyPath('/')).toBe('public');
  });
});

// next.config.ts turns Next's own trailing-slash redirect off, so a gateway's /sso/accept/ reaches the BFF as sent.
describe('decide: trailing slashes', () => {
  it('hands the BFF its paths with the trailing slash they were sent with', () => {
    expect(decide(request('/sso/accept/'))).toEqual({ type: 'forward' });
    expect(decide(request('/sso/event/', { method: 'POST', headers: { 'content-type': 'application/json' } }))).toEqual({ type: 'forward' });
  });

  it('redirects every other path to itself without the trailing slash, query kept, as Next would', () => {
    expect(decide(request('/dashboard/?tab=roles'))).toEqual({ type: 'redirect', location: '/dashboard?tab=roles' });
    expect(decide(request('/about/', { headers: CLIENT_FETCH }))).toEqual({ type: 'redirect', location: '/about' });
    expect(decide(request('/admin/users//', { cookie: 'porter.sid=abc' }))).toEqual({ type: 'redirect', location: '/admin/users' });
    expect(decide(request('/'))).toEqual({ type: 'lookup', cookie: null });
  });

  it('never turns a path into another host', () => {
    expect(withoutTrailingSlash('//evil.example/')).toBe('/evil.example');
    expect(withoutTrailingSlash('///')).toBe('/');
    expect(withoutTrailingSlash('/\\evil.example/')).toBe('/\\evil.example');
    const facts: RequestFacts = { method: 'GET', pathname: '//evil.example/x/', search: '', headers: new Headers(NAVIGATION) };
    expect(decide(facts)).toEqual({ type: 'redirect', location: '/evil.example/x' });
  });
});

describe('decide: no session cookie', () => {
  it('renders a public page for a prefetch or client-side navigation without calling the BFF', () => {
    expect(decide(request('/', { headers: CLIENT_FETCH }))).toEqual(NEXT);
    expect(decide(request('/', { headers: { ...NAVIGATION, 'sec-purpose': 'prefetch' } }))).toEqual(NEXT);
  });

  it('renders a public page without calling the BFF when the c1_anon marker is set', () => {
    expect(decide(request('/', { cookie: 'c1_anon=1' }))).toEqual(NEXT);
    expect(decide(request('/about', { cookie: 'theme=dark; c1_anon=1' }))).toEqual(NEXT);
  });

  it('lets a protected page redirect by itself on a client-side navigation, without calling the BFF', () => {
    expect(decide(request('/dashboard', { headers: CLIENT_FETCH }))).toEqual(NEXT);
    expect(decide(request('/admin/reports', { headers: CLIENT_FETCH }))).toEqual(NEXT);
    expect(decide(request('/dashboard', { method: 'POST', headers: CLIENT_FETCH }))).toEqual(NEXT);
  });

  it('asks the BFF anonymously (to learn whether it is up) only before sending the visitor to sign in', () => {
    expect(decide(request('/'))).toEqual({ type: 'lookup', cookie: null });
    expect(decide(request('/dashboard'))).toEqual({ type: 'lookup', cookie: null });
    expect(decide(request('/admin/reports', { cookie: 'c1_anon=1' }))).toEqual({ type: 'lookup', cookie: null });
  });

  it('asks the BFF with every session cookie when a stale one comes first (issue 10, fault 2)', () => {
    expect(decide(request('/dashboard', { cookie: 'porter.sid=stale; porter.sid=s%3Alive.sig' }))).toEqual({
      type: 'lookup',
      cookie: 'porter.sid=stale; porter.sid=s%3Alive.sig',
    });
  });

  it('sends the session cookie alone to the BFF, under either name', () => {
    expect(decide(request('/dashboard', { cookie: 'theme=dark; porter.sid=s%3Aabc.sig; other=1' }))).toEqual({
      type: 'lookup',
      cookie: 'porter.sid=s%3Aabc.sig',
    });
    expect(decide(request('/dashboard', { cookie: '__Host-porter.sid=xyz' }))).toEqual({
      type: 'lookup',
      cookie: '__Host-porter.sid=xyz',
    });
  });
});

describe('decide: signed in', () => {
  it('continues to a public page, a protected page and, for staff or admins, an admin page', () => {
    const cookie = 'porter.sid=abc';
    expect(decide(request('/', { cookie }), signedIn('student'))).toEqual(NEXT);
    expect(decide(request('/dashboard', { cookie }), signedIn('student'))).toEqual(NEXT);
    expect(decide(request('/admin/reports', { cookie }), signedIn('staff'))).toEqual(NEXT);
    expect(decide(request('/admin/reports', { cookie }), signedIn('admin'))).toEqual(NEXT);
    // People and their sessions are for admins: staff get the 403 page there.
    expect(decide(request('/admin/users', { cookie }), signedIn('admin'))).toEqual(NEXT);
    expect(decide(request('/admin/users', { cookie }), signedIn('staff'))).toMatchObject({ type: 'status', status: 403 });
    expect(decide(request('/Admin/Users/x', { cookie }), signedIn('staff'))).toMatchObject({ type: 'status', status: 403 });
    // The role may come from `roles` rather than the primary `role`.
    expect(decide(request('/admin/reports', { cookie }), signedIn('lecturer', ['lecturer', 'staff']))).toEqual(NEXT);
  });

  it('answers an admin page with the 403 page, not a redirect, for a visitor who is neither staff nor admin', () => {
    const decision = decide(request('/admin/reports', { cookie: 'porter.sid=abc' }), signedIn('student'));
    expect(decision).toEqual({ type: 'status', status: 403, name: 'A student' });
    // Client-side navigations too: Next falls back to a full page load on a non-RSC answer.
    expect(decide(request('/admin', { headers: CLIENT_FETCH, cookie: 'porter.sid=abc' }), signedIn('student'))).toMatchObject({
      type: 'status',
      status: 403,
    });
  });

  it('asks the BFF on public page loads, which redirect when the session has ended', () => {
    expect(decide(request('/', { cookie: 'porter.sid=abc' }))).toEqual({ type: 'lookup', cookie: 'porter.sid=abc' });
  });

  it('does not ask the BFF for a public page that renders whoever the visitor is', () => {
    expect(decide(request('/', { cookie: 'porter.sid=abc', headers: CLIENT_FETCH }))).toEqual(NEXT);
    expect(decide(request('/', { cookie: 'porter.sid=abc; c1_anon=1' }))).toEqual(NEXT);
  });
});

describe('decide: not signed in (the BFF answered 401)', () => {
  it('redirects a protected page load to interactive sign-in, returning to the path and query', () => {
    expect(decide(request('/dashboard?tab=roles&x=1'), ANONYMOUS)).toEqual({
      type: 'redirect',
      location: '/auth/login?returnTo=%2Fdashboard%3Ftab%3Droles%26x%3D1',
    });
    expect(decide(request('/admin/reports'), ANONYMOUS)).toEqual({
      type: 'redirect',
      location: '/auth/login?returnTo=%2Fadmin%2Freports',
    });
  });

  it('redirects a protected page load to interactive sign-in even with the c1_anon marker', () => {
    expect(decide(request('/dashboard', { cookie: 'c1_anon=1' }), ANONYMOUS)).toEqual({
      type: 'redirect',
      location: '/auth/login?returnTo=%2Fdashboard',
    });
  });

  it('redirects a public page load to silent sign-in when there is no c1_anon marker', () => {
    expect(decide(request('/?ref=mail'), ANONYMOUS)).toEqual({
      type: 'redirect',
      location: '/auth/login?returnTo=%2F%3Fref%3Dmail&prompt=none',
    });
    // An ended session (cookie still sent, BFF says 401) is tried silently too.
    expect(decide(request('/', { cookie: 'porter.sid=stale' }), ANONYMOUS)).toMatchObject({ type: 'redirect' });
  });

  it('renders the public page when the c1_anon marker is set, so a failed silent sign-in is not retried (no loop)', () => {
    expect(decide(request('/', { cookie: 'c1_anon=1' }), ANONYMOUS)).toEqual(NEXT);
    expect(decide(request('/', { cookie: 'porter.sid=stale; c1_anon=1' }), ANONYMOUS)).toEqual(NEXT);
  });

  it.each([
    ['a prefetch (Sec-Purpose)', { ...NAVIGATION, 'sec-purpose': 'prefetch;prerender' }],
    ['a prefetch (Purpose)', { ...NAVIGATION, purpose: 'prefetch' }],
    ['a client-side (RSC) navigation', CLIENT_FETCH],
    ['an RSC request that kept its header', { ...NAVIGATION, rsc: '1' }],
    ['a router prefetch that kept its header', { ...NAVIGATION, 'next-router-prefetch': '1' }],
    ['a data request', { ...NAVIGATION, 'x-nextjs-data': '1' }],
    ['a sub-resource fetch', { accept: 'application/json', 'sec-fetch-mode': 'cors' }],
  ])('never redirects %s', (_label, headers) => {
    expect(decide(request('/', { headers }), ANONYMOUS)).toEqual(NEXT);
    expect(decide(request('/dashboard', { headers }), ANONYMOUS)).toEqual(NEXT);
  });

  it.each(['POST', 'HEAD', 'PUT', 'DELETE'])('never redirects a %s request', (method) => {
    expect(decide(request('/', { method }), ANONYMOUS)).toEqual(NEXT);
    expect(decide(request('/dashboard', { method }), ANONYMOUS)).toEqual(NEXT);
  });
});

// django-sso has no sign-in without a page: the BFF says so in its 401 /auth/me answer.
describe('decide: an identity provider without silent sign-in', () => {
  const NO_SILENT: SessionLookup = { status: 'anonymous', silentSignIn: false };
  const lately = (path: string, options: Parameters<typeof request>[1] = {}): RequestFacts => ({ ...request(path, options), silentSignIn: false });

  it('renders a public page load when the lookup says so, with or without an ended session, never sending the visitor to sign in', () => {
    expect(decide(request('/?ref=mail'), NO_SILENT)).toEqual(NEXT);
    expect(decide(request('/', { cookie: 'porter.sid=ended' }), NO_SILENT)).toEqual(NEXT);
    expect(decide(request('/about'), NO_SILENT)).toEqual(NEXT);
  });

  it('still sends a protected or admin page load to interactive sign-in', () => {
    expect(decide(request('/dashboard?tab=1'), NO_SILENT)).toEqual({ type: 'redirect', location: '/auth/login?returnTo=%2Fdashboard%3Ftab%3D1' });
    expect(decide(lately('/admin/reports'), NO_SILENT)).toEqual({ type: 'redirect', location: '/auth/login?returnTo=%2Fadmin%2Freports' });
  });

  it('asks the BFF nothing for a public page once it said so lately, whoever the visitor is', () => {
    expect(decide(lately('/'))).toEqual(NEXT);
    expect(decide(lately('/?sso_broken_token=true'))).toEqual(NEXT);
    expect(decide(lately('/', { cookie: 'porter.sid=abc' }))).toEqual(NEXT);
  });

  it('still looks up protected and admin pages, where the session decides', () => {
    expect(decide(lately('/dashboard'))).toEqual({ type: 'lookup', cookie: null });
    expect(decide(lately('/admin/users', { cookie: 'porter.sid=abc' }))).toEqual({ type: 'lookup', cookie: 'porter.sid=abc' });
    expect(decide(lately('/admin/users', { cookie: 'porter.sid=abc' }), signedIn('staff'))).toMatchObject({ type: 'status', status: 403 });
  });
});

describe('decide: the BFF unreachable, slow or failing', () => {
  it('renders public pages as anonymous, without a redirect to a sign-in that cannot work', () => {
    expect(decide(request('/'), UNAVAILABLE)).toEqual(NEXT);
    expect(decide(request('/', { cookie: 'porter.sid=abc' }), UNAVAILABLE)).toEqual(NEXT);
  });

  it('answers protected and admin pages with the 503 page', () => {
    expect(decide(request('/dashboard'), UNAVAILABLE)).toEqual({ type: 'status', status: 503 });
    expect(decide(request('/dashboard', { cookie: 'porter.sid=abc' }), UNAVAILABLE)).toEqual({ type: 'status', status: 503 });
    expect(decide(request('/admin/reports', { cookie: 'porter.sid=abc' }), UNAVAILABLE)).toEqual({
      type: 'status',
      status: 503,
    });
  });
});

describe('isPageNavigation', () => {
  it('judges clients without Sec-Fetch headers by what they accept', () => {
    expect(isPageNavigation(request('/', { headers: { accept: 'text/html' } }))).toBe(true);
    expect(isPageNavigation(request('/', { headers: { accept: '*/*' } }))).toBe(false);
    expect(isPageNavigation(request('/', { headers: {} }))).toBe(false);
  });

  it('counts a navigation into an iframe as a page navigation', () => {
    expect(isPageNavigation(request('/', { headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' } }))).toBe(true);
  });
});

describe('signInUrl and returnTo', () => {
  it('puts returnTo first and prompt=none only for silent sign-in', () => {
    expect(signInUrl('/dashboard', { silent: false })).toBe('/auth/login?returnTo=%2Fdashboard');
    expect(signInUrl('/', { silent: true })).toBe('/auth/login?returnTo=%2F&prompt=none');
  });

  it('never passes a returnTo that could leave the origin', () => {
    expect(signInUrl('/.//evil.example/x', { silent: false })).toBe('/auth/login?returnTo=%2F');
    expect(signInUrl('/dashboard?x=1', { silent: false })).toBe('/auth/login?returnTo=%2Fdashboard%3Fx%3D1');
    const doubleSlash: RequestFacts = { method: 'GET', pathname: '//evil-example', search: '', headers: new Headers(NAVIGATION) };
    expect(decide(doubleSlash, ANONYMOUS)).toEqual({
      type: 'redirect',
      location: '/auth/login?returnTo=%2F&prompt=none',
    });
  });

  it('rebuilds path and query from a page’s searchParams', () => {
    expect(pathWithQuery('/dashboard', {})).toBe('/dashboard');
    expect(pathWithQuery('/dashboard', { a: '1', b: ['2', '3'], c: undefined })).toBe('/dashboard?a=1&b=2&b=3');
  });

  // Issue 10, fault 3: the visitor comes back to the query they asked for.
  it.each(['/dashboard?path=/a/b', '/dashboard?date=2026/11/29', '/dashboard?next=%2Fadmin', '/dashboard?file=a%2Fb', '/dashboard?q=a%5Cb'])(
    'sends an anonymous visitor of %s to sign in with that exact path and query as returnTo',
    (path) => {
      const decision = decide(request(path), ANONYMOUS);
      expect(decision.type).toBe('redirect');
      const location = new URL(decision.type === 'redirect' ? decision.location : '', 'http://app.test');
      expect(location.pathname).toBe('/auth/login');
      expect(location.searchParams.get('returnTo')).toBe(path);
    },
  );

  it('rebuilds a query from searchParams without encoding the slashes, colons and question marks it may hold', () => {
    expect(pathWithQuery('/dashboard', { path: '/a/b', date: '2026/11/29', at: 'x:y@z?w' })).toBe('/dashboard?path=/a/b&date=2026/11/29&at=x:y@z?w');
    expect(pathWithQuery('/dashboard', { q: 'a&b=c+d #e%' })).toBe('/dashboard?q=a%26b%3Dc%2Bd%20%23e%25');
  });
});
