import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, newProfile } from './browser';
import { startStack } from './stack';
import type { Stack, StackOptions } from './stack';

/** What a Chromium test file works with, once its hooks have run. */
export interface BrowserSuite {
  /** The running stack (valid inside tests). */
  stack(): Stack;
  /** A fresh browser profile, closed after the test. */
  newContext(): Promise<BrowserContext>;
}

/**
 * Registers the hooks every Chromium file needs: the stack (see sign-in.test.ts) and one
 * Chromium for the file, a fresh profile per test closed after it. `options`: the stack's,
 * such as its identity provider.
 */
export function browserSuite(options: Omit<StackOptions, 'serverPort'> = {}): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    stack = await startStack({ ...options, serverPort: inject('serverPort') });
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

  return {
    stack: () => {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    newContext: () => {
      if (!browser) throw new Error('Chromium starts in beforeAll');
      return newProfile(browser, contexts);
    },
  };
}
