import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '@porter/shared';
import { chooseAccount, cookie, heading, isSignInPage, recordDocumentRequests, signIn } from '../harness/browser';
import { browserSuite } from '../harness/suite';

/*
 * Issue 10: Porter against untidy browsers, in Chromium against the production build (see
 * sign-in.test.ts for the stack). Each test has browser contexts of its own.
 */

const { stack, newContext } = browserSuite();

describe('the page a visitor was going to', () => {
  // Fault 3: these came back as `/` after sign-in.
  it.each(['/dashboard?path=/a/b', '/dashboard?date=2026/11/29', '/dashboard?next=%2Fadmin', '/dashboard?file=a%2Fb', '/dashboard?q=a%5Cb'])(
    'brings an anonymous visitor of %s back to exactly that URL after signing in',
    async (path) => {
      const page = await (await newContext()).newPage();

      await page.goto(`${stack().webUrl}${path}`);
      expect(isSignInPage(new URL(page.url()), stack())).toBe(true);
      const response = await chooseAccount(page, stack(), stack().account('student'), path);

      expect(response.status()).toBe(200);
      expect(page.url()).toBe(`${stack().webUrl}${path}`);
      expect(await heading(page)).toBe('Dashboard');
    },
  );
});

describe('a stale session cookie beside the live one', () => {
  // Fault 2: the stale cookie, sent first, made /dashboard redirect until ERR_TOO_MANY_REDIRECTS.
  it('shows /dashboard to a signed-in student whose browser also holds a stale session cookie on Path=/dashboard', async () => {
    const context = await newContext();
    const page = await signIn(context, stack(), stack().account('student'));
    const live = await cookie(context, SESSION_COOKIE.insecure);
    const host = new URL(stack().webUrl).hostname;
    // Left by an older deployment: correctly shaped, signed with a key this one never had.
    await context.addCookies([{ name: SESSION_COOKIE.insecure, value: 's%3Astale-session-id.c2lnbmF0dXJl', domain: host, path: '/dashboard' }]);
    const documents = recordDocumentRequests(page);

    const response = await page.goto(`${stack().webUrl}/dashboard`);

    expect(response?.status()).toBe(200);
    expect(await heading(page)).toBe('Dashboard');
    expect(documents.urls().map((url) => url.pathname)).toEqual(['/dashboard']);
    // No new session was minted: the live cookie is the one the browser had.
    const sessionCookies = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE.insecure);
    expect(sessionCookies.find((c) => c.path === '/')?.value).toBe(live);
  });
});

describe('page headers', () => {
  it('sends every page with a CSP that forbids framing, nosniff and a same-origin Referrer-Policy, and the page still works', async () => {
    const page = await (await newContext()).newPage();
    const response = await page.goto(`${stack().webUrl}/`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).toContain("object-src 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(await heading(page)).toBe('Welcome to Porter');
  });
});

describe('sign-ins left unfinished', () => {
  // Fault 1: each one left a cookie; about 33 (5 with long return addresses) got the browser 431 for good.
  it('signs in normally after 100 abandoned sign-ins with long return addresses, with a Cookie header under 8 KB', async () => {
    const context = await newContext();
    const longPath = (i: number) => `/dashboard?n=${i}&q=${'x'.repeat(2000)}`;
    for (let i = 0; i < 100; i++) {
      // The browser's own cookie jar: the context's requests share it with its pages.
      const started = await context.request.get(`${stack().webUrl}/auth/login?returnTo=${encodeURIComponent(longPath(i))}`, { maxRedirects: 0 });
      expect(started.status()).toBe(302);
    }
    const sent = (await context.cookies(`${stack().webUrl}/auth/callback`)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(Buffer.byteLength(sent)).toBeLessThan(8 * 1024);

    const page = await context.newPage();
    await page.goto(`${stack().webUrl}${longPath(100)}`);
    expect(isSignInPage(new URL(page.url()), stack())).toBe(true);
    const response = await chooseAccount(page, stack(), stack().account('student'), longPath(100));

    expect(response.status()).toBe(200);
    expect(await heading(page)).toBe('Dashboard');
  });
});
