import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { SESSION_COOKIE } from '@porter/shared';
import { launchChromium, newProfile, signIn } from '../harness/browser';
import { startStack } from '../harness/stack';
import type { Stack } from '../harness/stack';

/*
 * Issue 11 in Chromium against the production build (see sign-in.test.ts for the stack): the
 * dashboard's course list comes from the campus API through the BFF's API proxy, fetched by the
 * browser, and a registration made there shows on the page. The browser never sees a token.
 */

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack({ serverPort: inject('serverPort') });
  browser = await launchChromium();
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await stack?.stop();
});

/** Everything the browser received: each response's URL, headers and body (when it has one). */
interface Received {
  url: string;
  headers: string;
  body: string;
  /** Received once the dashboard had loaded signed in. */
  signedIn: boolean;
}

describe('the dashboard’s courses, through the API proxy', () => {
  it('lists the student’s courses, registers for one, shows it, and never hands the browser a token', async () => {
    const context = await newProfile(browser, contexts);
    const received: Promise<Received>[] = [];
    let signedIn = false;
    context.on('response', (response) =>
      received.push(
        (async () => ({
          signedIn,
          url: response.url(),
          headers: JSON.stringify(await response.allHeaders()),
          body: await response.body().then((body) => body.toString('latin1'), () => ''),
        }))(),
      ),
    );
    const apiCalls: string[] = [];
    context.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiCalls.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });

    const page = await signIn(context, stack, stack.account('student'));
    signedIn = true;
    const rows = page.locator('section[aria-labelledby="courses"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(4);
    const row = (code: string) => page.locator(`tr[data-course="${code}"]`);
    const registeredCodes = async () => page.locator('tr[data-course]:has(.badge)').evaluateAll((els) => els.map((el) => el.getAttribute('data-course')));
    const before = await registeredCodes();
    expect(before.length).toBeGreaterThan(0);
    expect(before).not.toContain('CSC307');
    expect(apiCalls).toContain('GET /api/campus/me/courses');

    await row('CSC307').getByRole('button', { name: 'Register' }).click();
    await row('CSC307').locator('.badge', { hasText: 'Registered' }).waitFor();
    expect(apiCalls).toContain('POST /api/campus/me/courses/CSC307/register');
    expect((await registeredCodes()).sort()).toEqual([...before, 'CSC307'].sort());

    // The registration is the campus API's, not the page's: a fresh load shows it too.
    await page.reload();
    await row('CSC307').locator('.badge', { hasText: 'Registered' }).waitFor();
    expect(await row('CSC307').getByRole('button').count()).toBe(0);

    // The access token, learned here as the upstream sees it (the BFF's echo route, asked by the
    // test, never by the browser), so the check below can look for its exact value.
    const sessionCookie = (await context.cookies()).find((candidate) => candidate.name === SESSION_COOKIE.insecure);
    expect(sessionCookie).toBeDefined();
    const echo = await fetch(`${stack.serverUrl}/api/campus/echo`, { headers: { cookie: `${sessionCookie?.name}=${sessionCookie?.value}` } });
    const accessToken = /^Bearer (\S+)$/.exec(((await echo.json()) as { headers: { authorization?: string } }).headers.authorization ?? '')?.[1];
    expect(accessToken?.length).toBeGreaterThan(20);

    const everything = await Promise.all(received);
    const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    const cookies = JSON.stringify(await context.cookies());
    const text = (each: Received) => `${each.url}\n${each.headers}\n${each.body}`;
    // The access token: nowhere, sign-in included.
    for (const seen of [...everything.map(text), storage, cookies]) expect(seen).not.toContain(accessToken);
    // No JWT or JWE at all once signed in. During sign-in the browser holds one JWE, sealed by
    // Porter and readable only by it: the sign-in transaction cookie (Path=/auth/callback),
    // which the callback clears, as the cookie jar below shows.
    expect(everything.filter((each) => each.signedIn).length).toBeGreaterThan(3);
    for (const seen of [...everything.filter((each) => each.signedIn).map(text), storage, cookies]) expect(seen).not.toContain('eyJ');
  });
});
