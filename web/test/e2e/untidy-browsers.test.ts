import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { chooseAccount, heading, isSignInPage, launchChromium, newProfile } from '../harness/browser';
import { startStack } from '../harness/stack';
import type { Stack } from '../harness/stack';

/*
 * Issue 10: Porter against untidy browsers, in Chromium against the production build (see
 * sign-in.test.ts for the stack). Each test has browser contexts of its own.
 */

let stack: Stack;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack({ serverPort: inject('serverPort') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

const newContext = (): Promise<BrowserContext> => newProfile(browser, contexts);

describe('the page a visitor was going to', () => {
  // Fault 3: these came back as `/` after sign-in.
  it.each(['/dashboard?path=/a/b', '/dashboard?date=2026/11/29', '/dashboard?next=%2Fadmin', '/dashboard?file=a%2Fb', '/dashboard?q=a%5Cb'])(
    'brings an anonymous visitor of %s back to exactly that URL after signing in',
    async (path) => {
      const page = await (await newContext()).newPage();

      await page.goto(`${stack.webUrl}${path}`);
      expect(isSignInPage(new URL(page.url()), stack)).toBe(true);
      const response = await chooseAccount(page, stack, stack.account('student'), path);

      expect(response.status()).toBe(200);
      expect(page.url()).toBe(`${stack.webUrl}${path}`);
      expect(await heading(page)).toBe('Dashboard');
    },
  );
});
