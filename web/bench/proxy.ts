/*
 * What the proxy adds to a page view: `pnpm bench:proxy` (options: --rounds, --requests).
 *
 * One `next build`, started twice: as deployed, and with the proxy bypassed
 * (PORTER_BENCH_BYPASS_PROXY=1, lib/config.ts), both in front of the same built BFF, Redis and
 * local Campus One (test/harness/stack.ts). A student signs in once, in Chromium. Each page is
 * then requested from each app one request at a time over a keep-alive connection on loopback,
 * in rounds that alternate which app goes first, so drift on the machine touches both alike.
 * Prints a Markdown table; writes every figure as JSON under bench-results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg, platform } from 'node:os';
import { parseArgs } from 'node:util';
import { ANON_MARKER_COOKIE, SESSION_COOKIE } from '@porter/shared';
import { ensureChromium } from '../../scripts/chromium.mjs';
import { ensureRedisServer, freePort } from '../../scripts/redis.mjs';
import { cookie, launchChromium, signIn } from '../test/harness/browser';
import { buildApps, startStack, startWeb, WEB_DIR } from '../test/harness/stack';
import type { Stack } from '../test/harness/stack';
import { measure, summarize } from './latency';
import type { Summary } from './latency';

const { values: options } = parseArgs({
  options: { rounds: { type: 'string', default: '6' }, requests: { type: 'string', default: '500' } },
});
const ROUNDS = positiveInteger('rounds', options.rounds);
const REQUESTS = positiveInteger('requests', options.requests);
// Next loads each route and V8 optimises on first use: the first few hundred answers are slow.
const WARM_UP = 1000;

// What a browser sends for a page load: the proxy treats it as a navigation.
const NAVIGATION = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

type App = 'proxy' | 'bypassed';
interface Case {
  readonly page: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new TypeError(`"--${name}" must be a positive integer, got "${value}"`);
  return number;
}

async function signInStudent(stack: Stack): Promise<string> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await signIn(context, stack, stack.account('student'));
    const value = await cookie(context, SESSION_COOKIE.insecure);
    if (!value) throw new Error('signed in, but the browser holds no session cookie');
    return `${SESSION_COOKIE.insecure}=${value}`;
  } finally {
    await browser.close();
  }
}

/** One GET with exactly these headers: `fetch` would replace Sec-Fetch-Mode with `cors`. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Fails unless both apps serve the signed-in pages, and only one of them runs the proxy. */
async function checkApps(origins: Record<App, string>, signedIn: readonly Case[], name: string): Promise<void> {
  // An anonymous first visit: the proxy sends it to silent sign-in; without the proxy it renders.
  const anonymous: Record<App, number> = { proxy: 307, bypassed: 200 };
  for (const [app, origin] of Object.entries(origins) as Array<[App, string]>) {
    for (const { path, headers } of signedIn) {
      const page = await get(`${origin}${path}`, headers);
      if (page.status !== 200 || !page.body.includes(name)) throw new Error(`${app}: ${path} answered ${page.status} without "${name}": not signed in`);
    }
    const { status } = await get(`${origin}/`, NAVIGATION);
    if (status !== anonymous[app]) throw new Error(`${app}: an anonymous / answered ${status}, expected ${anonymous[app]}`);
  }
}

const ms = (value: number): string => value.toFixed(2);
const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;

async function main(): Promise<void> {
  ensureRedisServer();
  ensureChromium();
  const serverPort = await freePort();
  await buildApps(serverPort);
  const stack = await startStack({ serverPort });
  try {
    const bypassedPort = await freePort();
    const bypassed = await startWeb({
      port: bypassedPort,
      bffUrl: stack.serverUrl,
      env: { PORTER_BENCH_BYPASS_PROXY: '1' },
    });
    try {
      const origins: Record<App, string> = { proxy: stack.webUrl, bypassed: `http://127.0.0.1:${bypassedPort}` };
      const sessionCookie = await signInStudent(stack);
      // The proxy's matcher leaves out /dashboard with a session cookie: no proxy on either side.
      const signedIn: Case = { page: 'signed-in `/dashboard`', path: '/dashboard', headers: { ...NAVIGATION, cookie: sessionCookie } };
      // The home page keeps the proxy: it looks the session up and hands the answer to the page.
      const signedInHome: Case = { page: 'signed-in `/`', path: '/', headers: { ...NAVIGATION, cookie: sessionCookie } };
      const anonymous: Case = { page: 'anonymous `/` (`c1_anon` set)', path: '/', headers: { ...NAVIGATION, cookie: `${ANON_MARKER_COOKIE}=1` } };
      await checkApps(origins, [signedIn, signedInHome], stack.account('student').name);
      const authMe: Target = { url: `${stack.serverUrl}/auth/me`, headers: { accept: 'application/json', cookie: sessionCookie } };
      await report(await collect(origins, [signedIn, signedInHome, anonymous], authMe));
    } finally {
      await bypassed.stop();
    }
  } finally {
    await stack.stop();
  }
}

interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
}

interface Collected {
  readonly cases: ReadonlyArray<{ page: string; latencies: Record<App, number[]>; roundMediansMs: Record<App, number[]> }>;
  readonly authMe: number[];
}

/** Warms every target up, then measures them in interleaved rounds. */
async function collect(origins: Record<App, string>, cases: readonly Case[], authMe: Target): Promise<Collected> {
  const collected = cases.map((c) => ({
    page: c.page,
    latencies: { proxy: [] as number[], bypassed: [] as number[] },
    roundMediansMs: { proxy: [] as number[], bypassed: [] as number[] },
  }));
  const authMeLatencies: number[] = [];

  console.log(`Warming up (${WARM_UP} requests per page and app)…`);
  for (const c of cases) for (const origin of Object.values(origins)) await measure(`${origin}${c.path}`, c.headers, WARM_UP);
  await measure(authMe.url, authMe.headers, WARM_UP);

  for (let round = 1; round <= ROUNDS; round += 1) {
    const order: App[] = round % 2 === 1 ? ['proxy', 'bypassed'] : ['bypassed', 'proxy'];
    for (const [index, c] of cases.entries()) {
      for (const app of order) {
        const latencies = await measure(`${origins[app]}${c.path}`, c.headers, REQUESTS);
        collected[index]?.latencies[app].push(...latencies);
        collected[index]?.roundMediansMs[app].push(summarize(latencies).medianMs);
      }
    }
    authMeLatencies.push(...(await measure(authMe.url, authMe.headers, REQUESTS)));
    console.log(`round ${round}/${ROUNDS} done`);
  }
  return { cases: collected, authMe: authMeLatencies };
}

/** Prints the Markdown table and writes every figure to bench-results/. */
async function report(collected: Collected): Promise<void> {
  const results = collected.cases.map((c) => {
    const proxy = summarize(c.latencies.proxy);
    const bypassed = summarize(c.latencies.bypassed);
    return {
      page: c.page,
      proxy,
      bypassed,
      addedMedianMs: proxy.medianMs - bypassed.medianMs,
      addedP99Ms: proxy.p99Ms - bypassed.p99Ms,
      roundMediansMs: c.roundMediansMs,
    };
  });
  const authMe: Summary = summarize(collected.authMe);
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: platform(),
    node: process.version,
    // Anything else running on the machine shows in the p99 first: say how busy it was.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
  };

  console.log(
    [
      '',
      '| page view | requests per app | median, proxy | median, no proxy | added | p99, proxy | p99, no proxy | added |',
      '|---|--:|--:|--:|--:|--:|--:|--:|',
      ...results.map(
        (r) =>
          `| ${r.page} | ${r.proxy.requests} | ${ms(r.proxy.medianMs)} ms | ${ms(r.bypassed.medianMs)} ms | ${signed(r.addedMedianMs)} ms | ` +
          `${ms(r.proxy.p99Ms)} ms | ${ms(r.bypassed.p99Ms)} ms | ${signed(r.addedP99Ms)} ms |`,
      ),
      '',
      `For reference, GET /auth/me straight to the BFF: median ${ms(authMe.medianMs)} ms, p99 ${ms(authMe.p99Ms)} ms (${authMe.requests} requests).`,
      `${ROUNDS} interleaved rounds of ${REQUESTS} sequential requests per page and app, loopback, one keep-alive connection; ` +
        `${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage1m} at the end.`,
    ].join('\n'),
  );

  const date = new Date().toISOString();
  const settings = { rounds: ROUNDS, requests: REQUESTS, warmUp: WARM_UP, connections: 1 };
  const file = `${WEB_DIR}bench-results/proxy-${date.replace(/[:.]/g, '-')}.json`;
  await mkdir(`${WEB_DIR}bench-results`, { recursive: true });
  await writeFile(file, `${JSON.stringify({ date, machine, settings, results, authMeDirect: authMe }, null, 2)}\n`);
  console.log(`Figures written to ${file}`);
}

await main();
