import { describe, expect, it } from 'vitest';
import { config } from '../../proxy';

// Next compiles the matcher with path-to-regexp, where a parenthesised group is a plain regular
// expression: the same pattern, anchored, matches the same paths.
const matches = (path: string): boolean => config.matcher.some((pattern) => new RegExp(`^${pattern}$`).test(path));

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
});
