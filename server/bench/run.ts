// `pnpm bench`: Porter's /auth/me against the floors (node:http, bare Express) and a peer
// (express-openid-connect), in interleaved rounds within one run, plus Redis bytes per session
// and server CPU per sign-in. Prints a Markdown table; writes JSON to server/bench-results/.
// A script, not a test: absolute numbers drift between runs, ratios within a run do not.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sign } from 'cookie-signature';
import type { MeResponse } from '@porter/shared';
import { createKeys } from '../src/store/keys.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { canPin, cpuMicros } from './lib/processes.js';
import { callsBetween, commandCalls, memoryUsage } from './lib/redis-stats.js';
import { commandsPerRequest, fixed, markdownTable, median } from './lib/report.js';
import { signIn } from './lib/sign-in.js';
import { SERVER_DIR, startBenchStack, type BenchStack, type Server } from './lib/stack.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    // Past 128 members the live-session index leaves Redis's compact encoding, as it will in production.
    'sign-ins': { type: 'string', default: '200' },
    profile: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const SIGN_INS = Number(args['sign-ins']);
const RESULTS_DIR = join(SERVER_DIR, 'bench-results');
const SETTLE_MS = 300;
const EQUAL_LOAD_SHARE = 0.8;

interface Target {
  name: string;
  server: Server;
  url: string;
  cookie?: string;
  /** Every response must carry this status, or the row measured something else. */
  expect: number;
}

interface Sample extends LoadResult {
  round: number;
  cpuMicrosPerRequest: number;
  /** Share of its core the server used during the run: below ~90 % it waited on the load generator, or something else ran there. */
  serverCoreBusy: number;
  redisCalls: Map<string, number>;
}

const stops: (() => Promise<void>)[] = [];
async function stopAll() {
  while (stops.length > 0) await stops.pop()?.().catch((err: unknown) => console.error('while stopping:', err));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await stopAll();
}

async function main() {
  const loadAtStart = loadavg()[0]?.toFixed(2);
  console.log(`Starting Redis, Campus One and the servers${canPin ? ' (servers on core 0, load on core 1)' : ' (taskset unavailable: not pinned)'}...`);
  const profileDir = args.profile ? join(RESULTS_DIR, 'profiles') : null;
  const stack = await startBenchStack(stops, { profileDir });
  const { porter, eoc, bareExpress, bareNode, porterNodeFront, porterConfig } = stack;
  const cookieName = porterConfig.session.cookieName;

  console.log('Signing in at the local Campus One (Porter and express-openid-connect)...');
  const porterBrowser = await signIn(`${porter.origin}/auth/login?returnTo=/dashboard`, porter.origin, '/auth/callback');
  const signedInAt = Date.now();
  const porterCookieValue = porterBrowser.cookie(cookieName) ?? '';
  const me = (await (await fetch(`${porter.origin}/auth/me`, { headers: { cookie: `${cookieName}=${porterCookieValue}` } })).json()) as MeResponse;
  if (!me.user?.studentId) throw new Error(`Porter's /auth/me did not answer the signed-in student: ${JSON.stringify(me)}`);
  const eocBrowser = await signIn(`${eoc.origin}/login`, eoc.origin, '/callback');
  const eocCookie = `appSession=${eocBrowser.cookie('appSession') ?? ''}`;
  const eocUser = (await (await fetch(`${eoc.origin}/me`, { headers: { cookie: eocCookie } })).json()) as Record<string, unknown>;
  if (!eocUser.student_id) throw new Error(`express-openid-connect's /me did not answer the signed-in student: ${JSON.stringify(eocUser)}`);

  const sessionId = /^s:([^.]+)\./.exec(decodeURIComponent(porterCookieValue))?.[1] ?? '';
  const memory = await sessionMemory(stack, sessionId, me.user.sub);

  const porterCookie = `${cookieName}=${porterCookieValue}`;
  // A cookie an attacker could make: a real session id, signed with a key that is not Porter's.
  const forgedCookie = `${cookieName}=${encodeURIComponent(`s:${sign(sessionId, 'not-the-session-secret-0123456789abcdef')}`)}`;
  const targets: Target[] = [
    { name: 'Porter /auth/me, signed in', server: porter, url: `${porter.origin}/auth/me`, cookie: porterCookie, expect: 200 },
    { name: 'Porter /auth/me, no cookie', server: porter, url: `${porter.origin}/auth/me`, expect: 401 },
    { name: 'Porter /auth/me, forged cookie', server: porter, url: `${porter.origin}/auth/me`, cookie: forgedCookie, expect: 401 },
    { name: 'Express 5 + cookie-parser + 1 GET', server: bareExpress, url: `${bareExpress.origin}/auth/me`, cookie: porterCookie, expect: 200 },
    { name: 'node:http + HMAC + 1 GET', server: bareNode, url: `${bareNode.origin}/auth/me`, cookie: porterCookie, expect: 200 },
    { name: 'express-openid-connect 3 + connect-redis', server: eoc, url: `${eoc.origin}/me`, cookie: eocCookie, expect: 200 },
    {
      name: 'experiment: Porter read path on node:http, before Express',
      server: porterNodeFront,
      url: `${porterNodeFront.origin}/auth/me`,
      cookie: porterCookie,
      expect: 200,
    },
  ];
  const [signedInRow, , , bareExpressRow, , eocRow] = targets;

  console.log(`Warming up (${WARMUP_SECONDS} s each)...`);
  for (const target of targets) await measure(target, stack, WARMUP_SECONDS, 0);

  const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round starts at a different target, so no row always follows the same neighbour.
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
    for (const target of order) {
      const sample = await measure(target, stack, SECONDS, round);
      samples.get(target)?.push(sample);
      console.log(
        `  round ${round}/${ROUNDS}  ${target.name.padEnd(42)} ${fixed(sample.requestsPerSecond).padStart(6)} req/s  p99 ${sample.p99Ms} ms  ` +
          `${fixed(sample.cpuMicrosPerRequest)} µs/req  server core ${fixed(sample.serverCoreBusy * 100)} %`,
      );
    }
  }
  const roundsDoneAt = Date.now();

  // At saturation a faster server also queues more work per GC pause; at one offered load both
  // do the same work, and the tail shows what a request costs, not how deep the queue is.
  const equalRate = Math.round(EQUAL_LOAD_SHARE * median((samples.get(bareExpressRow as Target) ?? []).map((s) => s.requestsPerSecond)));
  const equalLoadTargets = [signedInRow, bareExpressRow] as Target[];
  const equalLoad = new Map<Target, Sample[]>(equalLoadTargets.map((t) => [t, []]));
  console.log(`Latency at an equal offered load of ${equalRate} req/s...`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of round % 2 ? equalLoadTargets : [...equalLoadTargets].reverse()) {
      equalLoad.get(target)?.push(await measure(target, stack, SECONDS, round, equalRate));
    }
  }

  console.log(`Measuring server CPU over ${SIGN_INS} sign-ins each...`);
  const porterSignIn = await signInCost(porter, () => signIn(`${porter.origin}/auth/login?returnTo=/dashboard`, porter.origin, '/auth/callback'));
  const liveIndex = await liveIndexShare(stack);
  const memoryTotal = memory.session + memory.userIndex + memory.sidIndex + liveIndex.bytes;
  const eocSignIn = await signInCost(eoc, () => signIn(`${eoc.origin}/login`, eoc.origin, '/callback'));

  // Per round, so both rows met the same conditions; then the median over rounds.
  const ratioTo = (target: Target, base: Target | undefined, ratio: (row: Sample, base: Sample) => number) =>
    median(
      (samples.get(target) ?? []).map((sample) => {
        const baseSample = samples.get(base as Target)?.find((s) => s.round === sample.round);
        return baseSample ? ratio(sample, baseSample) : NaN;
      }),
    );
  const byThroughput = (row: Sample, base: Sample) => row.requestsPerSecond / base.requestsPerSecond;
  // Requests one core can serve, from CPU per request: what is left when another process takes the core.
  const byCpu = (row: Sample, base: Sample) => base.cpuMicrosPerRequest / row.cpuMicrosPerRequest;
  const summary = targets.map((target) => {
    const list = samples.get(target) ?? [];
    const requests = list.reduce((sum, s) => sum + s.requests, 0);
    const calls = new Map<string, number>();
    for (const s of list) for (const [name, count] of s.redisCalls) calls.set(name, (calls.get(name) ?? 0) + count);
    return {
      name: target.name,
      status: target.expect,
      requestsPerSecond: median(list.map((s) => s.requestsPerSecond)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      cpuMicrosPerRequest: median(list.map((s) => s.cpuMicrosPerRequest)),
      serverCoreBusy: median(list.map((s) => s.serverCoreBusy)),
      redisPerRequest: commandsPerRequest(calls, requests),
      redisWrites: [...calls].filter(([name]) => name !== 'get').reduce((sum, [, count]) => sum + count, 0),
      requests,
      ratioToBareExpress: ratioTo(target, bareExpressRow, byThroughput),
      ratioToEoc: ratioTo(target, eocRow, byThroughput),
      cpuRatioToBareExpress: ratioTo(target, bareExpressRow, byCpu),
      cpuRatioToEoc: ratioTo(target, eocRow, byCpu),
      samples: list.map((s) => ({ ...s, redisCalls: Object.fromEntries(s.redisCalls) })),
    };
  });

  const table = markdownTable(
    ['server doing the work of /auth/me', 'status', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core busy', 'Redis per request', '× bare Express, req/s', '× bare Express, CPU'],
    summary.map((row) => [
      row.name,
      String(row.status),
      fixed(row.requestsPerSecond),
      fixed(row.p50Ms, 1),
      fixed(row.p99Ms, 1),
      fixed(row.cpuMicrosPerRequest),
      `${fixed(row.serverCoreBusy * 100)} %`,
      row.redisPerRequest,
      `${fixed(row.ratioToBareExpress, 2)}×`,
      `${fixed(row.cpuRatioToBareExpress, 2)}×`,
    ]),
  );

  const [signedIn, noCookie, forged, express] = summary;
  const equalLoadSummary = equalLoadTargets.map((target) => {
    const list = equalLoad.get(target) ?? [];
    return {
      name: target.name,
      requestsPerSecond: median(list.map((s) => s.requestsPerSecond)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      cpuMicrosPerRequest: median(list.map((s) => s.cpuMicrosPerRequest)),
      serverCoreBusy: median(list.map((s) => s.serverCoreBusy)),
      samples: list.map((s) => ({ ...s, redisCalls: Object.fromEntries(s.redisCalls) })),
    };
  });
  const touchesAllowed = Math.floor((roundsDoneAt - signedInAt) / porterConfig.session.touchIntervalMs);
  const goals = [
    goal(
      '/auth/me ≥ 0.9× bare Express + GET (median of per-round req/s ratios)',
      `${fixed(signedIn?.ratioToBareExpress ?? NaN, 2)}× (by CPU per request: ${fixed(signedIn?.cpuRatioToBareExpress ?? NaN, 2)}×)`,
      (signedIn?.ratioToBareExpress ?? 0) >= 0.9,
    ),
    goal(
      '/auth/me ≥ 1.7× express-openid-connect + Redis',
      `${fixed(signedIn?.ratioToEoc ?? NaN, 2)}× (by CPU per request: ${fixed(signedIn?.cpuRatioToEoc ?? NaN, 2)}×)`,
      (signedIn?.ratioToEoc ?? 0) >= 1.7,
    ),
    goal(
      '/auth/me p99 no worse than bare Express (at saturation, as in the table)',
      `${fixed(signedIn?.p99Ms ?? NaN, 1)} ms vs ${fixed(express?.p99Ms ?? NaN, 1)} ms; at an equal ${equalRate} req/s: ` +
        `${fixed(equalLoadSummary[0]?.p99Ms ?? NaN, 1)} ms vs ${fixed(equalLoadSummary[1]?.p99Ms ?? NaN, 1)} ms`,
      (signedIn?.p99Ms ?? Infinity) <= (express?.p99Ms ?? 0),
    ),
    goal(
      'zero Redis writes per /auth/me in steady state',
      `${signedIn?.redisWrites ?? '?'} writes in ${signedIn?.requests ?? '?'} requests (${touchesAllowed} idle-expiry moves allowed by the ${porterConfig.session.touchIntervalMs / 1000} s touch interval)`,
      (signedIn?.redisWrites ?? Infinity) <= touchesAllowed,
    ),
    goal('≤ 4 KB of Redis per session, tokens and indexes included', `${memoryTotal} B`, memoryTotal <= 4096),
    goal(
      'no cookie and forged cookie at least as fast as signed in, without Redis',
      `${fixed(noCookie?.requestsPerSecond ?? NaN)} and ${fixed(forged?.requestsPerSecond ?? NaN)} vs ${fixed(signedIn?.requestsPerSecond ?? NaN)} req/s; Redis: ${noCookie?.redisPerRequest}, ${forged?.redisPerRequest}`,
      Math.min(noCookie?.requestsPerSecond ?? 0, forged?.requestsPerSecond ?? 0) >= (signedIn?.requestsPerSecond ?? Infinity) &&
        noCookie?.redisPerRequest === 'none' &&
        forged?.redisPerRequest === 'none',
    ),
  ];

  // Anything else running on the machine skews req/s more than CPU per request: say how busy it was.
  const machine =
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; Redis ${stack.redisVersion} on loopback; ` +
    `load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(2)} at the end`;
  const method =
    `${canPin ? 'server pinned to core 0, autocannon (separate process), Redis and Campus One on core 1' : 'not pinned (no taskset)'}; ` +
    `${CONNECTIONS} connections; medians of ${ROUNDS} interleaved rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up each`;
  const report = [
    `### /auth/me under load (${method})`,
    '',
    table,
    '',
    `Machine: ${machine}.`,
    '',
    `### Latency at one offered load: ${equalRate} req/s (${EQUAL_LOAD_SHARE * 100} % of bare Express's median req/s), corrected for coordinated omission`,
    '',
    markdownTable(
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core busy'],
      equalLoadSummary.map((row) => [row.name, fixed(row.requestsPerSecond), fixed(row.p50Ms, 1), fixed(row.p99Ms, 1), fixed(row.cpuMicrosPerRequest), `${fixed(row.serverCoreBusy * 100)} %`]),
    ),
    '',
    '### Porter per session and per sign-in',
    '',
    markdownTable(
      ['measure', 'value'],
      [
        ['Redis bytes per session (MEMORY USAGE): session key', `${memory.session} B (${memory.storedChars} chars of JSON, ${memory.sealedTokenChars} of them sealed tokens)`],
        ['index keys of a one-session user: user → sessions, Campus One sid → sessions', `${memory.userIndex} B + ${memory.sidIndex} B`],
        [`share of the live-session index (role counts), at ${liveIndex.sessions} sessions`, `${liveIndex.bytes} B`],
        ['total per session', `${memoryTotal} B`],
        [`server CPU per sign-in (mean over ${SIGN_INS}; Campus One excluded)`, `Porter ${fixed(porterSignIn / 1000, 2)} ms; express-openid-connect ${fixed(eocSignIn / 1000, 2)} ms`],
      ],
    ),
    '',
    '### Goals',
    '',
    ...goals.map((g) => `- ${g.met ? '✅' : '❌'} ${g.name}: ${g.figure}`),
  ].join('\n');
  console.log(`\n${report}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ machine, method, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, summary, equalLoad: { rate: equalRate, rows: equalLoadSummary }, memory: { ...memory, liveIndex, total: memoryTotal }, signIn: { count: SIGN_INS, porterCpuMicros: porterSignIn, eocCpuMicros: eocSignIn }, goals }, null, 2),
  );
  console.log(`Results written to ${file}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`);
  if (!goals.every((g) => g.met)) process.exitCode = 2;
}

function goal(name: string, figure: string, met: boolean) {
  return { name, figure, met };
}

/** One autocannon run, with the server's CPU time and Redis's commands around it. */
async function measure(target: Target, stack: BenchStack, seconds: number, round: number, rate?: number): Promise<Sample> {
  const callsBefore = await commandCalls(stack.redis);
  const cpuBefore = cpuMicros(target.server.pid);
  const result = await runLoad({ url: target.url, ...(target.cookie ? { cookie: target.cookie } : {}), ...(rate ? { rate } : {}), connections: CONNECTIONS, seconds });
  // Requests still in flight when autocannon stops finish now: count them here, not in the next row.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpuAfter = cpuMicros(target.server.pid);
  const redisCalls = callsBetween(callsBefore, await commandCalls(stack.redis));
  const unexpected = Object.entries(result.statuses).filter(([status]) => Number(status) !== target.expect);
  if (unexpected.length > 0 || result.errors > 0) {
    throw new Error(`${target.name}: expected only ${target.expect}, got ${JSON.stringify(result.statuses)} and ${result.errors} errors`);
  }
  // The server idles while autocannon starts and after it stops: load lasted `seconds`.
  const serverCoreBusy = (cpuAfter - cpuBefore) / (seconds * 1e6);
  return { ...result, round, cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(result.requests, 1), serverCoreBusy, redisCalls };
}

/**
 * The server's CPU time per complete sign-in (login, Campus One, callback), a few at a time.
 * The provider runs in this process, on the other core, so its work is not counted.
 */
async function signInCost(server: Server, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await run();
  const concurrency = 4;
  let left = SIGN_INS;
  const before = cpuMicros(server.pid);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await run();
    }),
  );
  return (cpuMicros(server.pid) - before) / SIGN_INS;
}

/**
 * Bytes one signed-in session takes in Redis, measured right after the first sign-in: its key,
 * and the index keys of a user and a Campus One session that hold only this one.
 */
async function sessionMemory(stack: BenchStack, sessionId: string, sub: string) {
  const keys = createKeys(stack.porterConfig.redis.prefix);
  const stored = (await stack.redis.get(keys.session(sessionId))) ?? '{}';
  const data = JSON.parse(stored) as { tokens?: string; providerSid?: string | null };
  return {
    session: await memoryUsage(stack.redis, keys.session(sessionId)),
    userIndex: await memoryUsage(stack.redis, keys.userSessions(sub)),
    sidIndex: data.providerSid ? await memoryUsage(stack.redis, keys.providerSessions(data.providerSid)) : 0,
    storedChars: stored.length,
    sealedTokenChars: data.tokens?.length ?? 0,
  };
}

/** One session's share of the index of every live session, once it holds many (as in production). */
async function liveIndexShare(stack: BenchStack): Promise<{ bytes: number; sessions: number }> {
  const key = createKeys(stack.porterConfig.redis.prefix).liveSessions();
  const sessions = await stack.redis.zcard(key);
  return { bytes: sessions > 0 ? Math.round((await memoryUsage(stack.redis, key)) / sessions) : 0, sessions };
}
