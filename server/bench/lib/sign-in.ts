import { Browser } from '../../test/support/browser.js';
import { cpuMicros } from './processes.js';

/**
 * A complete sign-in without a browser: the app's login route, Campus One's sign-in page, the
 * account button, and back through the app's callback. Returns the cookie jar, signed in.
 */
export async function signIn(loginUrl: string, appOrigin: string, callbackPath: string, account = 'student'): Promise<Browser> {
  const browser = new Browser();
  const backOnApp = (url: URL) => url.origin === appOrigin && url.pathname !== callbackPath && !url.pathname.endsWith('/login');
  const page = await browser.navigate(loginUrl, { stop: backOnApp });
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url.pathname)?.[1];
  if (page.response.status !== 200 || !uid) throw new Error(`expected Campus One's sign-in page, got ${page.response.status} at ${page.url.href}`);
  await page.response.arrayBuffer();
  const done = await browser.navigate(new URL(`/interaction/${uid}/login`, page.url), {
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ account }).toString() },
    stop: backOnApp,
  });
  if (!backOnApp(done.url)) throw new Error(`the sign-in did not come back to ${appOrigin}: ${done.hops.map(String).join(' -> ')}`);
  return browser;
}

/** The session id inside express-session's signed cookie value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdOf(cookieValue: string): string {
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookieValue))?.[1] ?? '';
}

/**
 * The server's CPU time per complete sign-in, in µs, over `count` sign-ins a few at a time. The
 * provider runs in the bench's own process, on the other core, so its work is not counted.
 */
export async function cpuPerSignIn(serverPid: number, count: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await run();
  const concurrency = 4;
  let left = count;
  const before = cpuMicros(serverPid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await run();
    }),
  );
  return (cpuMicros(serverPid) - before) / count;
}
