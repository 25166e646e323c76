import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ANON_MARKER_COOKIE, SESSION_COOKIE } from '@porter/shared';
import { STATUS_COPY } from '@/lib/status-page';
import { chooseAccount, cookie, heading, isSignInPage, launchChromium, newProfile, recordDocumentRequests, signIn } from '../harness/browser';
import { statusOf } from '../harness/processes';
import { startStack } from '../harness/stack';
import type { Stack } from '../harness/stack';

/*
 * The six sign-in scenarios of issue 3 in Chromium, against `next start`, the built server,
 * Redis and the local Campus One (test/harness/stack.ts). Each test has browser contexts of its
 * own; the last one stops the server, so it stays last.
 */

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

let stack: Stack;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startStack({ serverPort: inject('serverPort') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(async ({ task }) => {
  // A failing test leaves a picture of every page it had open.
  if (task.result?.state === 'fail') {
    const pages = contexts.flatMap((context) => context.pages());
    for (const [index, page] of pages.entries()) {
      await page.screenshot({ path: `${SCREENSHOTS}failed-${slug(task.name)}-${index}.png`, fullPage: true }).catch(() => {});
    }
  }
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

const newContext = (): Promise<BrowserContext> => newProfile(browser, contexts);

async function newPage(): Promise<Page> {
  return (await newContext()).newPage();
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** The value next to `label` in a page's facts list (`<dt>label</dt><dd>value</dd>`). */
async function fact(page: Page, label: string): Promise<string> {
  const term = page.locator('dt', { hasText: new RegExp(`^${label}$`) });
  const row = page.locator('main dl > div').filter({ has: term });
  return (await row.locator('dd').innerText()).trim();
}

/** The sum of a table's column, found by its heading in the last header row. */
async function columnTotal(table: Locator, column: string): Promise<number> {
  const headings = await table.locator('thead tr').last().locator('th').allTextContents();
  const index = headings.indexOf(column);
  expect(index, `a "${column}" column among ${headings.join(', ')}`).toBeGreaterThanOrEqual(0);
  // Each body row starts with its day as a `th`, so the n-th `td` sits under the n-th heading.
  const cells = await table.locator(`tbody tr > td:nth-of-type(${index + 1})`).allTextContents();
  return cells.reduce((sum, text) => sum + Number(text.replace(/,/g, '')), 0);
}

describe('signing in to Porter through Campus One, in a browser', () => {
  it('renders the public page on a first visit with no Campus One session, sets c1_anon, and redirects a bounded number of times', async () => {
    const page = await newPage();
    const documents = recordDocumentRequests(page);

    const response = await page.goto(`${stack.webUrl}/`);

    expect(response?.status()).toBe(200);
    expect(await heading(page)).toBe('Welcome to Porter');
    expect(await cookie(page.context(), ANON_MARKER_COOKIE)).toBe('1');
    expect(await cookie(page.context(), SESSION_COOKIE.insecure)).toBeUndefined();
    // One silent attempt, answered at once by Campus One, and back: no loop, no sign-in page.
    const hops = documents.urls();
    expect(hops.map((url) => `${url.origin === stack.issuer ? 'campus-one' : 'web'} ${url.pathname}`)).toEqual([
      'web /',
      'web /auth/login',
      'campus-one /api/auth/auth',
      'web /auth/callback',
      'web /',
    ]);
    expect(hops[1]?.searchParams.get('prompt')).toBe('none');
    expect(hops[3]?.searchParams.get('error')).toBe('login_required');
    await shot(page, '1-first-visit-public-page');

    // With the marker set, the next view of the page is a single request.
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    expect(documents.urls()).toHaveLength(hops.length + 1);
  });

  it('sends an anonymous visitor of /dashboard to the Campus One sign-in page, and back to a dashboard with the student’s name, id, faculty and department', async () => {
    const student = stack.account('student');
    const page = await newPage();

    await page.goto(`${stack.webUrl}/dashboard`);

    expect(isSignInPage(new URL(page.url()), stack)).toBe(true);
    expect(await heading(page)).toBe('Sign in to Campus One');
    await shot(page, '2-campus-one-sign-in-page');

    const response = await chooseAccount(page, stack, student, '/dashboard');

    expect(response.status()).toBe(200);
    expect(await heading(page)).toBe('Dashboard');
    expect(await fact(page, 'Name')).toBe(student.name);
    expect(await fact(page, 'Student ID')).toBe(student.studentId);
    // Names from Campus One's academic API, through the BFF's cached directory, not the claims' ids.
    expect(await fact(page, 'Faculty')).toBe('Faculty of Physical Sciences');
    expect(await fact(page, 'Department')).toBe('Department of Computer Science');
    expect(await page.getByRole('banner').getByText(student.name).innerText()).toBe(student.name);
    await shot(page, '2-dashboard-signed-in-student');
  });

  it('signs a visitor with a Campus One session but no Porter session in silently on their first visit to /, showing no sign-in page', async () => {
    const student = stack.account('student');
    const signedIn = await signIn(await newContext(), stack, student);
    // Only the provider's cookies: Porter's session and marker stay behind.
    const campusOneCookies = (await signedIn.context().cookies()).filter((c) => c.name.startsWith('campus_one_'));
    expect(campusOneCookies.map((c) => c.name)).toContain('campus_one_session');

    const context = await newContext();
    await context.addCookies(campusOneCookies);
    const page = await context.newPage();
    const documents = recordDocumentRequests(page);

    const response = await page.goto(`${stack.webUrl}/`);

    expect(response?.status()).toBe(200);
    expect(await heading(page)).toBe(`Hello ${student.name}`);
    const hops = documents.urls();
    expect(hops.some((url) => isSignInPage(url, stack))).toBe(false);
    expect(hops.find((url) => url.pathname === '/auth/login')?.searchParams.get('prompt')).toBe('none');
    expect(hops.at(-1)?.href).toBe(`${stack.webUrl}/`);
    expect(await cookie(context, SESSION_COOKIE.insecure)).toBeDefined();
    expect(await cookie(context, ANON_MARKER_COOKIE)).toBeUndefined();
    await shot(page, '3-silent-sign-in-home');
  });

  it('answers a signed-in student at /admin/reports with the 403 page, status 403', async () => {
    const student = stack.account('student');
    const page = await signIn(await newContext(), stack, student);

    const response = await page.goto(`${stack.webUrl}/admin/reports`);

    expect(response?.status()).toBe(403);
    expect(page.url()).toBe(`${stack.webUrl}/admin/reports`);
    expect(await heading(page)).toBe(STATUS_COPY[403].title);
    expect(await page.getByText('You’re signed in as').innerText()).toContain(student.name);
    await shot(page, '4-reports-forbidden-student');
  });

  it('shows a staff member the reports page at /admin/reports after signing in there', async () => {
    const staff = stack.account('staff');
    const page = await newPage();
    await page.goto(`${stack.webUrl}/admin/reports`);

    const response = await chooseAccount(page, stack, staff, '/admin/reports');

    expect(response.status()).toBe(200);
    expect(await page.getByRole('banner').getByText(staff.name).innerText()).toBe(staff.name);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).count()).toBe(1);
    expect(await heading(page)).toBe('Reports');
    // What the server's GET /admin/reports returned, this very sign-in included (summed over the
    // days, so a run across midnight UTC counts it too).
    const days = page.getByRole('region', { name: 'Day by day' }).getByRole('table');
    expect(await columnTotal(days, 'Staff')).toBeGreaterThanOrEqual(1);
    const activeSessions = page.getByRole('table', { name: 'Live sessions by their user’s primary role' });
    expect(Number(await activeSessions.getByRole('row', { name: /^staff\b/i }).getByRole('cell').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole('img', { name: /^Bar chart of sign-ins per day/ }).count()).toBe(1);
    await shot(page, '4-reports-staff');
  });

  it('signs out through the header button: the session is gone and /dashboard asks for sign-in again', async () => {
    const student = stack.account('student');
    const page = await signIn(await newContext(), stack, student);
    const context = page.context();
    expect((await context.request.get(`${stack.webUrl}/auth/me`)).status()).toBe(200);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    // POST /auth/logout, then Campus One's end-session page, which submits itself and comes home.
    await page.waitForURL(`${stack.webUrl}/`);

    expect(await heading(page)).toBe('Welcome to Porter');
    await shot(page, '5-signed-out-home');
    expect((await context.request.get(`${stack.webUrl}/auth/me`)).status()).toBe(401);
    expect(await cookie(context, SESSION_COOKIE.insecure)).toBeUndefined();

    await page.goto(`${stack.webUrl}/dashboard`);

    expect(isSignInPage(new URL(page.url()), stack)).toBe(true);
    expect(await heading(page)).toBe('Sign in to Campus One');
    await shot(page, '5-dashboard-asks-sign-in-again');
  });

  // Stops the server for good: keep this test last.
  it('with the server stopped, still renders / for an anonymous visitor and answers /dashboard with the 503 page', async () => {
    const signedIn = await signIn(await newContext(), stack, stack.account('student'));
    await stack.stopServer();
    expect(await statusOf(`${stack.serverUrl}/healthz`)).toBeUndefined();
    const page = await newPage();

    const home = await page.goto(`${stack.webUrl}/`);

    expect(home?.status()).toBe(200);
    expect(await heading(page)).toBe('Welcome to Porter');
    await shot(page, '6-server-down-home');

    const dashboard = await page.goto(`${stack.webUrl}/dashboard`);

    expect(dashboard?.status()).toBe(503);
    expect(page.url()).toBe(`${stack.webUrl}/dashboard`);
    expect(await heading(page)).toBe(STATUS_COPY[503].title);
    await shot(page, '6-server-down-dashboard-503');

    // With a session cookie the proxy does not run on /dashboard: the page finds the BFF gone
    // itself and shows the same 503 view (its status stays 200), never the dashboard.
    const own = await signedIn.goto(`${stack.webUrl}/dashboard`);

    expect(own?.status()).toBe(200);
    expect(signedIn.url()).toBe(`${stack.webUrl}/dashboard`);
    expect(await heading(signedIn)).toBe(STATUS_COPY[503].title);
    await shot(signedIn, '6-server-down-dashboard-signed-in');
  });
});
