/*
 * A signed-in page view, whole, against what a Next.js team would pick instead: `pnpm bench:page`
 * (options: --rounds 3, --seconds 5, --connections 32, --warmup 20, --profile).
 *
 * One run, three apps serving the same signed-in `GET /dashboard` (the staff account: its
 * dashboard needs no data besides who the visitor is):
 * - porter: the web app (`next start`) + the BFF + Redis, as deployed (test/harness/stack.ts);
 * - next-auth: bench/fixtures/next-auth, next-auth 4.24 with its JWT session, against the same
 *   local Campus One, rendering Porter's own dashboard components;
 * - floor: the same fixture build with no authentication at all.
 * Signs in over HTTP (no browser), then in rounds that rotate which app goes first: each app at
 * saturation (32 connections), then at one offered load equal for all (half the slowest app's
 * saturated rate in the warm-up). Server CPU per page view sums every process that serves the
 * view (/proc/<pid>/stat, children included). Last, a `user.deleted` webhook: Porter's next
 * view is signed out, next-auth's cookie still renders the page.
 * Builds are reused while their sources are unchanged (bench/builds.ts). `--profile` writes a V8
 * CPU profile of each Next process (Porter's and next-auth's) to web/bench-results/profiles-page/.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import type { MeResponse } from '@porter/shared';
import { ensureRedisServer, freePort } from '../../scripts/redis.mjs';
import { Browser } from '../../server/test/support/browser';
import { deliverWebhook, webhookEvent } from '../../server/dev/webhooks';
import { signIn as signInToPorter } from '../../server/bench/lib/sign-in';
import { startProcess, statusOf, waitFor } from '../test/harness/processes';
import type { Running } from '../test/harness/processes';
import { NEXT_BIN, startStack, WEB_DIR } from '../test/harness/stack';
import type { Stack } from '../test/harness/stack';
import { FIXTURE_DIR, buildAll } from './builds';
import { cpuMicrosOfTree, redisCommands } from './processes';
import { percentile } from './latency';

const { values: options } = parseArgs({
  // pnpm passes on the `--` of `pnpm bench:page -- --profile`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    // Long enough for V8 to have compiled both sides of a view: a fresh BFF's answer costs up to
    // twice a warm one's for its first few thousand views, and each Next process costs more too.
    warmup: { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
  },
});
const ROUNDS = positiveInteger('rounds', options.rounds);
const SECONDS = positiveInteger('seconds', options.seconds);
const CONNECTIONS = positiveInteger('connections', options.connections);
const WARM_UP_SECONDS = positiveInteger('warmup', options.warmup);
const PROFILE_DIR = options.profile ? `${WEB_DIR}bench-results/profiles-page` : null;
const ACCOUNT = 'staff';
const WEBHOOK_SECRET = randomBytes(24).toString('base64url');
// What a browser sends for a page load: Porter's proxy treats it as a navigation.
const NAVIGATION = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

type AppName = 'porter' | 'next-auth' | 'floor';
const APPS: readonly AppName[] = ['porter', 'next-auth', 'floor'];

interface App {
  readonly name: AppName;
  readonly origin: string;
  readonly headers: Record<string, string>;
  /** Every process serving a page view, by what it is. */
  readonly pids: Record<string, number>;
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new TypeError(`"--${name}" must be a positive integer, got "${value}"`);
  return number;
}

/** Node options that make a Next process write its CPU profile when it stops (`--profile`). */
function profileArgs(app: AppName): string[] {
  return PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${app}`] : [];
}

/** One GET with exactly these headers (`fetch` would replace Sec-Fetch-Mode). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location ?? null, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** next-auth's sign-in, as its sign-in page's button does it: CSRF token, POST, Campus One, callback. */
async function signInToNextAuth(origin: string): Promise<Browser> {
  const browser = new Browser();
  const csrf = (await (await browser.fetch(`${origin}/api/auth/csrf`, { headers: { accept: 'application/json' } })).json()) as { csrfToken: string };
  const page = await browser.navigate(`${origin}/api/auth/signin/campus-one`, {
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: `${origin}/dashboard` }).toString(),
    },
  });
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url.pathname)?.[1];
  if (page.response.status !== 200 || !uid) throw new Error(`next-auth: expected Campus One's sign-in page, got ${page.response.status} at ${page.url.href}`);
  await page.response.arrayBuffer();
  const done = await browser.navigate(new URL(`/interaction/${uid}/login`, page.url), {
    init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ account: ACCOUNT }).toString() },
    stop: (url) => url.origin === origin && url.pathname === '/dashboard',
  });
  if (done.url.pathname !== '/dashboard') throw new Error(`next-auth: the sign-in ended at ${done.url.href} (${done.response.status})`);
  return browser;
}

/** `next start` of the fixture on a free port; resolves once it answers. */
async function startFixture(port: number, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<Running> {
  const child = startProcess('next-auth fixture', process.execPath, [...nodeArgs, NEXT_BIN, 'start', FIXTURE_DIR, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: WEB_DIR,
    env: { ...process.env, NODE_ENV: undefined, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  const url = `http://127.0.0.1:${port}/api/auth/providers`;
  await waitFor(url, async () => ((await statusOf(url)) === undefined ? undefined : true), { process: child }).catch(async (error: unknown) => {
    await child.stop();
    throw error;
  });
  return child;
}

interface Load {
  requests: number;
  seconds: number;
  latencies: number[];
  /** µs of CPU per process name. */
  cpu: Record<string, number>;
  redisCommands: number;
  /** `GET /auth/me` answers the BFF gave meanwhile. */
  authMe: number;
}

/** Where the BFF's metrics are, to count its `/auth/me` answers (porter_auth_me_responses_total). */
let metricsUrl = '';

async function authMeAnswers(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith('porter_auth_me_responses_total{')) total += Number(line.split(' ').at(-1));
  return total;
}

/** autocannon against one app for SECONDS; `rate`: requests per second over all connections, or saturation. */
async function load(app: App, redisPort: number, rate?: number, seconds = SECONDS): Promise<Load> {
  const before = Object.fromEntries(Object.entries(app.pids).map(([name, pid]) => [name, cpuMicrosOfTree(pid)]));
  const commandsBefore = await redisCommands(redisPort);
  const authMeBefore = await authMeAnswers();
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      { url: `${app.origin}/dashboard`, connections: CONNECTIONS, duration: seconds, headers: app.headers, ...(rate ? { overallRate: rate } : {}) },
      (error, answer) => (error ? reject(error) : resolve(answer)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${app.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  const cpu = Object.fromEntries(Object.entries(app.pids).map(([name, pid]) => [name, cpuMicrosOfTree(pid) - (before[name] ?? 0)]));
  return {
    requests: latencies.length,
    seconds: elapsed,
    latencies,
    cpu,
    redisCommands: (await redisCommands(redisPort)) - commandsBefore,
    authMe: (await authMeAnswers()) - authMeBefore,
  };
}

/** Fails unless every app renders the signed-in dashboard with the visitor's name. */
async function checkSignedIn(apps: readonly App[], name: string): Promise<void> {
  for (const app of apps) {
    const page = await get(`${app.origin}/dashboard`, app.headers);
    if (page.status !== 200 || !page.body.includes(name)) throw new Error(`${app.name}: /dashboard answered ${page.status} without "${name}"`);
  }
}

async function main(): Promise<void> {
  ensureRedisServer();
  const serverPort = await freePort();
  const nextAuthPort = await freePort();
  const floorPort = await freePort();
  const nextAuthOrigin = `http://127.0.0.1:${nextAuthPort}`;
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await buildAll();
  const client = { clientId: 'next-auth-bench', clientSecret: randomBytes(24).toString('base64url') };
  const stack: Stack = await startStack({
    serverPort,
    clients: [{ ...client, redirectUris: [`${nextAuthOrigin}/api/auth/callback/campus-one`], postLogoutRedirectUris: [`${nextAuthOrigin}/`] }],
    serverEnv: { CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET, METRICS_PORT: String(metricsPort) },
    webNodeArgs: profileArgs('porter'),
  });
  const children: Running[] = [];
  try {
    const porterBrowser = await signInToPorter(`${stack.webUrl}/auth/login?returnTo=%2Fdashboard`, stack.webUrl, '/auth/callback', ACCOUNT);
    const porterCookie = porterBrowser.cookieHeader(new URL(`${stack.webUrl}/dashboard`));
    const meAnswer = await fetch(`${stack.serverUrl}/auth/me`, { headers: { cookie: porterCookie } });
    if (meAnswer.status !== 200) throw new Error(`Porter: /auth/me answered ${meAnswer.status} after sign-in`);
    const me = (await meAnswer.json()) as MeResponse;

    children.push(
      await startFixture(
        nextAuthPort,
        {
          NEXTAUTH_URL: nextAuthOrigin,
          NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
          CAMPUS_ONE_DISCOVERY_URL: stack.discoveryUrl,
          CAMPUS_ONE_CLIENT_ID: client.clientId,
          CAMPUS_ONE_CLIENT_SECRET: client.clientSecret,
        },
        profileArgs('next-auth'),
      ),
    );
    children.push(await startFixture(floorPort, { PAGE_BENCH_AUTH: 'none', PAGE_BENCH_FLOOR_ME: JSON.stringify(me) }));
    const [nextAuthProcess, floorProcess] = children as [Running, Running];
    const nextAuthBrowser = await signInToNextAuth(nextAuthOrigin);

    const redisPort = Number(new URL(stack.redisUrl).port);
    const apps: App[] = [
      {
        name: 'porter',
        origin: stack.webUrl,
        headers: { ...NAVIGATION, cookie: porterCookie },
        pids: { next: stack.pids.web, bff: stack.pids.server, redis: stack.pids.redis },
      },
      {
        name: 'next-auth',
        origin: nextAuthOrigin,
        headers: { ...NAVIGATION, cookie: nextAuthBrowser.cookieHeader(new URL(`${nextAuthOrigin}/dashboard`)) },
        pids: { next: nextAuthProcess.pid },
      },
      { name: 'floor', origin: `http://127.0.0.1:${floorPort}`, headers: { ...NAVIGATION }, pids: { next: floorProcess.pid } },
    ];
    await checkSignedIn(apps, me.user.name);

    console.log(`Warming up (${WARM_UP_SECONDS} s per app at saturation)…`);
    const warm = new Map<AppName, number>();
    for (const app of apps) {
      const figures = await load(app, redisPort, undefined, WARM_UP_SECONDS);
      warm.set(app.name, figures.requests / figures.seconds);
    }
    const rate = Math.max(10, Math.round(Math.min(...warm.values()) / 2));
    console.log(`Equal offered load: ${rate} requests/s (half the slowest warm-up rate).`);

    const saturated = new Map<AppName, Load[]>(APPS.map((name) => [name, []]));
    const paced = new Map<AppName, Load[]>(APPS.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < apps.length; i += 1) {
        const app = apps[(i + round) % apps.length] as App;
        saturated.get(app.name)?.push(await load(app, redisPort));
        paced.get(app.name)?.push(await load(app, redisPort, rate));
      }
      console.log(`round ${round + 1}/${ROUNDS} done`);
    }

    const revocation = await showRevocation(stack, apps, me);
    await report(apps, saturated, paced, rate, revocation);
  } finally {
    for (const child of children) await child.stop();
    await stack.stop();
  }
}

interface Revocation {
  porter: string;
  nextAuth: string;
  revoked: boolean;
}

/** Campus One says the user is deleted: what each app does with the visitor's next page view. */
async function showRevocation(stack: Stack, apps: readonly App[], me: MeResponse): Promise<Revocation> {
  const delivered = await deliverWebhook(`${stack.serverUrl}/webhooks/campus-one`, WEBHOOK_SECRET, webhookEvent('user.deleted', { user_id: me.user.sub }));
  if (delivered.status !== 200) throw new Error(`the user.deleted webhook answered ${delivered.status}: ${await delivered.text()}`);
  const describe = async (app: App) => {
    const page = await get(`${app.origin}/dashboard`, app.headers);
    if (page.status === 200 && page.body.includes(me.user.name)) return { signedIn: true, text: `200, renders the dashboard for ${me.user.name}` };
    return { signedIn: false, text: `${page.status}${page.location ? ` to ${new URL(page.location, app.origin).pathname}` : ''}: signed out` };
  };
  const [porter, nextAuth] = [await describe(apps[0] as App), await describe(apps[1] as App)];
  return { porter: porter.text, nextAuth: nextAuth.text, revoked: !porter.signedIn };
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const median = (values: readonly number[]): number => percentile(values, 50);

/** Per app: req/s (median over rounds), pooled latencies, CPU per view per process. */
function summarize(loads: readonly Load[]) {
  const latencies = loads.flatMap((l) => l.latencies);
  const requests = sum(loads.map((l) => l.requests));
  const names = Object.keys(loads[0]?.cpu ?? {});
  const cpuMs = Object.fromEntries(names.map((name) => [name, sum(loads.map((l) => l.cpu[name] ?? 0)) / requests / 1000]));
  return {
    perSecond: median(loads.map((l) => l.requests / l.seconds)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerView: sum(Object.values(cpuMs)),
    cpuMs,
    redisCommandsPerView: sum(loads.map((l) => l.redisCommands)) / requests,
    authMePerView: sum(loads.map((l) => l.authMe)) / requests,
    requests,
  };
}

async function report(
  apps: readonly App[],
  saturated: Map<AppName, Load[]>,
  paced: Map<AppName, Load[]>,
  rate: number,
  revocation: Revocation,
): Promise<void> {
  const rows = apps.map((app) => ({ app: app.name, saturated: summarize(saturated.get(app.name) ?? []), paced: summarize(paced.get(app.name) ?? []) }));
  const nextAuth = rows.find((row) => row.app === 'next-auth');
  const porter = rows.find((row) => row.app === 'porter');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1m: Number(loadavg()[0]?.toFixed(2)) };
  const cpuParts = (cpuMs: Record<string, number>) =>
    Object.keys(cpuMs).length > 1 ? ` (${Object.entries(cpuMs).map(([name, value]) => `${name} ${fixed(value)}`).join(', ')})` : '';
  console.log(
    [
      '',
      `| app | req/s at saturation | p50 | p99 | p50 at ${rate} req/s | p99 at ${rate} req/s | server CPU per view, ms | BFF /auth/me per view | Redis commands per view |`,
      '|---|--:|--:|--:|--:|--:|---|--:|--:|',
      ...rows.map(
        (r) =>
          `| ${r.app} | ${fixed(r.saturated.perSecond, 0)} | ${fixed(r.saturated.p50Ms, 1)} ms | ${fixed(r.saturated.p99Ms, 1)} ms | ` +
          `${fixed(r.paced.p50Ms, 1)} ms | ${fixed(r.paced.p99Ms, 1)} ms | ${fixed(r.saturated.cpuMsPerView)}${cpuParts(r.saturated.cpuMs)} | ` +
          `${fixed(r.saturated.authMePerView)} | ${fixed(r.saturated.redisCommandsPerView, 2)} |`,
      ),
      '',
      porter && nextAuth
        ? `Porter / next-auth: ${fixed(porter.saturated.perSecond / nextAuth.saturated.perSecond)}x the req/s, ` +
          `${fixed(porter.saturated.cpuMsPerView / nextAuth.saturated.cpuMsPerView)}x the CPU per view, ` +
          `p99 at ${rate} req/s ${fixed(porter.paced.p99Ms, 1)} ms against ${fixed(nextAuth.paced.p99Ms, 1)} ms.`
        : '',
      `After a user.deleted webhook: Porter's next /dashboard ${revocation.porter}; next-auth's ${revocation.nextAuth}.`,
      `${ROUNDS} rotating rounds of ${SECONDS} s per app and load, ${CONNECTIONS} connections, loopback; ` +
        `${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage1m} at the end.`,
    ].join('\n'),
  );
  const date = new Date().toISOString();
  const file = `${WEB_DIR}bench-results/page-${date.replace(/[:.]/g, '-')}.json`;
  await mkdir(`${WEB_DIR}bench-results`, { recursive: true });
  const settings = { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, equalLoadPerSecond: rate, account: ACCOUNT };
  const results = rows.map((r) => ({ ...r, saturated: { ...r.saturated }, paced: { ...r.paced } }));
  await writeFile(file, `${JSON.stringify({ date, machine, settings, results, revocation }, null, 2)}\n`);
  console.log(`Figures written to ${file}`);
  if (!revocation.revoked) throw new Error("Porter's page still rendered after the user.deleted webhook");
}

await main();
