import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { heading, launchChromium, newProfile, recordDocumentRequests, signIn } from '../harness/browser';
import { startStack } from '../harness/stack';
import type { Stack } from '../harness/stack';

/*
 * Issue 13: people control their sessions, in Chromium against the production build (see
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

describe('your devices', () => {
  it('lets a student signed in twice end the other session from /account; the other is sent to sign in on its next page view', async () => {
    const other = await signIn(await newContext(), stack, stack.account('student'));
    const mine = await signIn(await newContext(), stack, stack.account('student'));

    await mine.goto(`${stack.webUrl}/account`);
    expect(await heading(mine)).toBe('Your devices');
    const devices = mine.locator('.device');
    await expect.poll(() => devices.count()).toBe(2);
    await expect.poll(() => mine.locator('.device[data-current]').count()).toBe(1);

    await mine.getByRole('button', { name: /^Sign out Chrome/ }).click();
    await expect.poll(() => devices.count()).toBe(1);

    const visits = recordDocumentRequests(other);
    await other.goto(`${stack.webUrl}/dashboard`);
    expect(visits.urls().some((url) => url.pathname === '/auth/login')).toBe(true);
    // The current session was not touched.
    await mine.goto(`${stack.webUrl}/dashboard`);
    expect(new URL(mine.url()).pathname).toBe('/dashboard');
    expect(await heading(mine)).toBe('Dashboard');
  });
});
