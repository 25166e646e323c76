import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ANON_MARKER_COOKIE, SESSION_COOKIE } from '@porter/shared';
import { cookie, heading, recordDocumentRequests } from '../harness/browser';
import type { Gateway } from '../harness/stack';
import { browserSuite } from '../harness/suite';

/*
 * Issue 14 in Chromium against the production build (see sign-in.test.ts for the stack), with
 * the server's identity provider a django-sso gateway: the local stand-in
 * (server/dev/django-sso-gateway.ts), registered with the web app's origin, so `/sso/accept/`
 * and `/sso/event/` reach the BFF through the web app, as in production.
 */

const { stack, newContext } = browserSuite({ identityProvider: 'django-sso' });

function gateway(): Gateway {
  const running = stack().gateway;
  if (!running) throw new Error('the stack runs without the django-sso gateway');
  return running;
}

/** Where each top-level request of `page` went: `gateway /login/`, `web /dashboard`... */
function hops(urls: URL[]): string[] {
  return urls.map((url) => `${url.origin === gateway().url ? 'gateway' : url.origin === stack().webUrl ? 'web' : url.origin} ${url.pathname}`);
}

/** Every request of `page`'s context, of any kind, that went to the gateway. */
function gatewayRequests(page: Page): string[] {
  const seen: string[] = [];
  page.context().on('request', (request) => {
    if (new URL(request.url()).origin === gateway().url) seen.push(request.url());
  });
  return seen;
}

/** The dashboard's primary role, as the page holds it (CSS capitalises what is shown). */
async function primaryRole(page: Page): Promise<string> {
  return ((await page.locator('section[aria-labelledby="roles"] strong').textContent()) ?? '').trim();
}

describe('signing in through a django-sso gateway, in a browser', () => {
  it.each([
    ['student', 'student'],
    ['staff', 'staff'],
    ['admin', 'admin'],
  ] as const)('sends an anonymous visitor of /dashboard to the gateway, where the %s picks their account and lands back signed in as %s', async (id, role) => {
    const user = gateway().users.find((candidate) => candidate.id === id);
    if (!user) throw new Error(`no seeded gateway user ${id}`);
    const page = await (await newContext()).newPage();
    const documents = recordDocumentRequests(page);

    await page.goto(`${stack().webUrl}/dashboard?tab=roles`);
    expect(new URL(page.url()).origin).toBe(gateway().url);
    expect(new URL(page.url()).pathname).toBe('/login/');

    await page.getByRole('button', { name: new RegExp(`^Sign in as ${user.name} `) }).click();
    await page.waitForURL(`${stack().webUrl}/dashboard?tab=roles`);

    expect(await heading(page)).toBe('Dashboard');
    expect(await primaryRole(page)).toBe(role);
    expect(await page.getByRole('banner').getByText(user.name).innerText()).toBe(user.name);
    expect(await cookie(page.context(), SESSION_COOKIE.insecure)).toBeDefined();
    expect(hops(documents.urls())).toEqual([
      'web /dashboard',
      'web /auth/login',
      'gateway /login/',
      // The form's POST, then the gateway's redirect to the fixed accept path, then the page.
      'gateway /login/',
      'web /sso/accept/',
      'web /dashboard',
    ]);
  });

  it('keeps the public page anonymous without any trip to the gateway, on a first visit and after', async () => {
    const page = await (await newContext()).newPage();
    const documents = recordDocumentRequests(page);
    const toGateway = gatewayRequests(page);

    const first = await page.goto(`${stack().webUrl}/`);
    expect(first?.status()).toBe(200);
    expect(await heading(page)).toBe('Welcome to Porter');
    await page.reload();
    expect(await heading(page)).toBe('Welcome to Porter');

    expect(hops(documents.urls())).toEqual(['web /', 'web /']);
    expect(toGateway).toEqual([]);
    expect(await cookie(page.context(), SESSION_COOKIE.insecure)).toBeUndefined();
    // Nothing was tried, so there is no failed silent attempt to remember either.
    expect(await cookie(page.context(), ANON_MARKER_COOKIE)).toBeUndefined();
  });

  it('shows a clear message on the public page when the gateway reports a broken sign-in token', async () => {
    const page = await (await newContext()).newPage();
    const toGateway = gatewayRequests(page);

    await page.goto(`${stack().webUrl}/?sso_broken_token=true`);

    expect(await heading(page)).toBe('Welcome to Porter');
    expect(await page.locator('p.notice[role="alert"]').innerText()).toContain('Your sign-in didn’t go through');
    expect(toGateway).toEqual([]);
    await page.goto(`${stack().webUrl}/`);
    expect(await page.locator('p.notice[role="alert"]').count()).toBe(0);
  });
});
