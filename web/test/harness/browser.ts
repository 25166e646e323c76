import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Request, Response } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../scripts/chromium.mjs';
import type { Account, Stack } from './stack';

/** Debian's Chromium, headless: never a browser download. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * A fresh browser profile (no cookies, Porter's or Campus One's), added to `opened` so the test
 * file closes it after each test. Its steps fail well before a test's own timeout, with
 * Playwright's account of what they waited for.
 */
export async function newProfile(browser: Browser, opened: BrowserContext[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  context.setDefaultTimeout(20_000);
  opened.push(context);
  return context;
}

/**
 * Every top-level document request the page makes from now on, redirect hops included (each
 * hop is a request of its own), in order.
 */
export function recordDocumentRequests(page: Page): { urls(): URL[] } {
  const requests: Request[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) requests.push(request);
  });
  return { urls: () => requests.map((request) => new URL(request.url())) };
}

/** The page's `<h1>` text, once there is one. */
export async function heading(page: Page): Promise<string> {
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.waitFor();
  return (await h1.innerText()).trim();
}

export const isSignInPage = (url: URL, stack: Stack): boolean =>
  url.origin === stack.issuer && url.pathname.startsWith('/interaction/');

/** What the local Campus One's sign-in page may say about when the person signed in (its `auth_time`); "now" by default. */
export interface SignInChoice {
  signedInAgo?: 'now' | '15 minutes ago' | 'an hour ago';
}

/**
 * On Campus One's sign-in page: picks the account and waits until the browser is back on the
 * app at `returnTo`. Returns that page's response (the last of the redirects).
 */
export async function chooseAccount(page: Page, stack: Stack, account: Account, returnTo: string, choice: SignInChoice = {}): Promise<Response> {
  if (!isSignInPage(new URL(page.url()), stack)) throw new Error(`expected Campus One's sign-in page, at ${page.url()}`);
  const target = new URL(returnTo, stack.webUrl).href;
  const arrived = page.waitForResponse((response) => response.url() === target && response.request().isNavigationRequest());
  if (choice.signedInAgo) await page.getByLabel('Signed in').selectOption({ label: choice.signedInAgo });
  await page.getByRole('button', { name: new RegExp(`\\b${account.name}\\b`) }).click();
  const response = await arrived;
  await page.waitForURL(target);
  return response;
}

/**
 * Signs `account` in the way a visitor does: opens the dashboard, which sends an anonymous
 * visitor to Campus One's sign-in page, and picks the account there. Returns the page, on the
 * dashboard.
 */
export async function signIn(context: BrowserContext, stack: Stack, account: Account, choice: SignInChoice = {}): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.webUrl}/dashboard`);
  await chooseAccount(page, stack, account, '/dashboard', choice);
  return page;
}

/** The context's cookie `name` (all hosts: cookies ignore ports), if it has one. */
export async function cookie(context: BrowserContext, name: string): Promise<string | undefined> {
  return (await context.cookies()).find((candidate) => candidate.name === name)?.value;
}
