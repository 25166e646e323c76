import { Browser } from '../../test/support/browser.js';
import { cpuMicros } from './processes.js';
import { median } from './report.js';

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
  if (!backOnApp(done.url)) {
    const answer = (await done.response.text()).slice(0, 200);
    throw new Error(`the sign-in did not come back to ${appOrigin}: ${done.hops.map(String).join(' -> ')} answered ${done.response.status} ${answer}`);
  }
  return browser;
}

/** The session id inside express-session's signed cookie value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdOf(cookieValue: string): string {
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookieValue))?.[1] ?? '';
}

/** A server and how a browser completes a sign-in there. */
export interface SignInTarget {
  name: string;
  pid: number;
  signIn: () => Promise<unknown>;
}

export interface SignInFigures {
  /** Server CPU time per complete sign-in, µs: per round, then the median over rounds. */
  cpuMicros: number;
  /** The same with `concurrency` browsers signing in at once, as at the start of a teaching day. */
  burst: { concurrency: number; perSecond: number; cpuMicros: number; serverCoreBusy: number; failed: number; firstFailure: string | null };
}

/** Browsers signing in at once while the CPU per sign-in is measured (and warmed up). */
const MEASURING_BROWSERS = 4;

/**
 * Per target: `warmup` sign-ins, then server CPU per sign-in, a few browsers at a time, in
 * interleaved rounds (each round runs every target, starting with a different one); then the
 * burst, every target for `burstSeconds` with `concurrency` browsers. The warm-up matters: a
 * server's first few hundred sign-ins cost up to a third more CPU each while V8 compiles the
 * sign-in's code, more so the more code a sign-in runs, and a teaching day's thousands of
 * sign-ins run warm. The provider runs in the bench's own process, on the other core, so its
 * work is not counted in the server's CPU, but it bounds the burst rate.
 */
export async function measureSignIns(
  targets: readonly SignInTarget[],
  options: { count: number; warmup: number; rounds: number; concurrency: number; burstSeconds: number },
): Promise<Map<SignInTarget, SignInFigures>> {
  const perRound = new Map(targets.map((t) => [t, [] as number[]]));
  for (const target of targets) await cpuPerSignIn(target.pid, options.warmup, target.signIn, MEASURING_BROWSERS);
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length] as SignInTarget;
      perRound.get(target)?.push(await cpuPerSignIn(target.pid, Math.ceil(options.count / options.rounds), target.signIn, MEASURING_BROWSERS));
    }
  }
  const figures = new Map<SignInTarget, SignInFigures>();
  for (const target of targets) {
    const start = Date.now();
    const deadline = start + options.burstSeconds * 1000;
    const before = cpuMicros(target.pid);
    let done = 0;
    let failed = 0;
    let firstFailure: string | null = null;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (Date.now() < deadline) {
          try {
            await target.signIn();
            done++;
          } catch (err) {
            // Counted and shown, not fatal: how a server fails under a burst is part of the result.
            failed++;
            firstFailure ??= err instanceof Error ? err.message : String(err);
          }
        }
      }),
    );
    const elapsedS = (Date.now() - start) / 1000;
    const cpu = cpuMicros(target.pid) - before;
    figures.set(target, {
      cpuMicros: median(perRound.get(target) ?? []),
      burst: { concurrency: options.concurrency, perSecond: done / elapsedS, cpuMicros: cpu / Math.max(done, 1), serverCoreBusy: cpu / (elapsedS * 1e6), failed, firstFailure },
    });
  }
  return figures;
}

/** The server's CPU time per complete sign-in, in µs, over `count` sign-ins, `concurrency` at a time. */
async function cpuPerSignIn(serverPid: number, count: number, run: () => Promise<unknown>, concurrency: number): Promise<number> {
  let left = count;
  const before = cpuMicros(serverPid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await run();
    }),
  );
  return (cpuMicros(serverPid) - before) / count;
}
