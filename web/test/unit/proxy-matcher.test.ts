import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '@porter/shared';
import { config } from '../../proxy';

// The matcher compiled and applied by Next's own code, as `next build` and `next start` do.
const require = createRequire(import.meta.url);
const { getMiddlewareMatchers } = require('next/dist/build/analysis/get-page-static-info') as {
  getMiddlewareMatchers(matcher: typeof config.matcher, nextConfig: object): unknown[];
};
const { getMiddlewareRouteMatcher } = require('next/dist/shared/lib/router/utils/middleware-route-matcher') as {
  getMiddlewareRouteMatcher(matchers: unknown[]): (pathname: string, request: { headers: Record<string, string> }, query: object) => boolean;
};
const runsProxy = getMiddlewareRouteMatcher(getMiddlewareMatchers(config.matcher, {}));

const matches = (path: string, cookie?: string): boolean => runsProxy(path, { headers: cookie === undefined ? {} : { cookie } }, {});
const SIGNED_IN = [`${SESSION_COOKIE.insecure}=s%3Aabc.sig`, `${SESSION_COOKIE.secure}=s%3Aabc.sig`, `c1_anon=1; ${SESSION_COOKIE.insecure}=s%3Aabc.sig`];

describe("the proxy's matcher", () => {
  it('sees the pages it may redirect or answer for', () => {
    for (const path of ['/', '/dashboard', '/dashboard/', '/account', '/admin/reports', '/admin/users', '/Admin/reports', '/some/page.v2/x', '/icon.svg/']) {
      expect(matches(path), path).toBe(true);
    }
  });

  it("sees the BFF's paths, files under them included, so a BFF_URL changed after the build reaches them", () => {
    for (const path of ['/auth/login', '/auth/me', '/api/campus/me/courses', '/api/campus/files/transcript.pdf', '/webhooks/campus-one', '/sso/accept/', '/sso/x.json']) {
      expect(matches(path), path).toBe(true);
    }
  });

  it("never sees Next's own assets or files", () => {
    for (const path of ['/_next/static/chunks/app.js', '/_next/image', '/_next/image/x', '/icon.svg', '/favicon.ico', '/robots.txt', '/docs/guide.pdf']) {
      expect(matches(path), path).toBe(false);
    }
  });

  it('skips a protected page that carries a session cookie, under either name: the page asks the BFF itself', () => {
    for (const cookie of SIGNED_IN) {
      for (const path of ['/dashboard', '/account', '/dashboard/x']) expect(matches(path, cookie), `${path} with ${cookie}`).toBe(false);
    }
  });

  it('still sees a protected page without a session cookie, or with an empty one, and the other pages with one', () => {
    for (const cookie of [undefined, 'c1_anon=1', 'porter.sid.old=x', `${SESSION_COOKIE.insecure}=`]) {
      for (const path of ['/dashboard', '/account']) expect(matches(path, cookie), `${path} with ${cookie}`).toBe(true);
    }
    for (const cookie of SIGNED_IN) {
      // The home page's silent sign-in, the admin pages' 403, the trailing-slash redirect, the BFF's paths.
      for (const path of ['/', '/admin/reports', '/admin/users', '/dashboard/', '/account/', '/auth/me']) {
        expect(matches(path, cookie), `${path} with ${cookie}`).toBe(true);
      }
    }
  });
});
