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
import { goals, type Goal } from './lib/goals.js';
import { measure, type Sample, type Target } from './lib/measure.js';
import { canPin } from './lib/processes.js';
import { fixed, markdownTable, median } from './lib/report.js';
import { liveIndexShare, sessionBytes } from './lib/session-bytes.js';
import { measureSignIns, sessionIdOf, signIn, type SignInFigures } from './lib/sign-in.js';
import { runBench, type Stops } from './lib/script.js';
import { SERVER_DIR, startBenchStack, type BenchStack } from './lib/stack.js';
import { summarize, type RowSummary, type Samples } from './lib/summary.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    // Past 128 members the live-session index leaves Redis's compact encoding, as it will in production.
    'sign-ins': { type: 'string', default: '600' },
    // Sign-ins per server before measuring: V8 has compiled the sign-in's code by then (lib/sign-in.ts).
    'sign-in-warmup': { type: 'string', default: '300' },
    // The 8 a.m. burst: this many browsers signing in at once, for this long, per server.
    'burst-browsers': { type: 'string', default: '64' },
    'burst-seconds': { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const SIGN_INS = Number(args['sign-ins']);
const SIGN_IN_WARMUP = Number(args['sign-in-warmup']);
const BURST = { concurrency: Number(args['burst-browsers']), seconds: Number(args['burst-seconds']) };
const RESULTS_DIR = join(SERVER_DIR, 'bench-results');
const EQUAL_LOAD_SHARE = 0.8;

await runBench(main);

async function main(stops: Stops) {
  const loadAtStart = loadavg()[0]?.toFixed(2);
  console.log(`Starting Redis, Campus One and the servers${canPin ? ' (servers on core 0, load on core 1)' : ' (taskset unavailable: not pinned)'}...`);
  const profileDir = args.profile ? join(RESULTS_DIR, 'profiles') : null;
  const stack = await startBenchStack(stops, { profileDir });
  const { porter, eoc, porterConfig } = stack;
  const signInAtPorter = () => signIn(`${porter.origin}/auth/login?returnTo=/dashboard`, porter.origin, '/auth/callback');
  const signInAtEoc = () => signIn(`${eoc.origin}/login`, eoc.origin, '/callback');

  console.log('Signing in at the local Campus One (Porter and express-openid-connect)...');
  const cookieName = porterConfig.session.cookieName;
  const porterCookieValue = (await signInAtPorter()).cookie(cookieName) ?? '';
  const signedInAt = Date.now();
  const porterCookie = `${cookieName}=${porterCookieValue}`;
  const me = (await (await fetch(`${porter.origin}/auth/me`, { headers: { cookie: porterCookie } })).json()) as MeResponse;
  if (!me.user?.studentId) throw new Error(`Porter's /auth/me did not answer the signed-in student: ${JSON.stringify(me)}`);
  const eocCookie = `appSession=${(await signInAtEoc()).cookie('appSession') ?? ''}`;
  const eocUser = (await (await fetch(`${eoc.origin}/me`, { headers: { cookie: eocCookie } })).json()) as Record<string, unknown>;
  if (!eocUser.student_id) throw new Error(`express-openid-connect's /me did not answer the signed-in student: ${JSON.stringify(eocUser)}`);

  const sessionId = sessionIdOf(porterCookieValue);
  const bytes = await sessionBytes(stack.redis, porterConfig.redis.prefix, sessionId, me.user.sub);
  // A cookie an attacker could make: a real session id, signed with a key that is not Porter's.
  const forgedCookie = `${cookieName}=${encodeURIComponent(`s:${sign(sessionId, 'not-the-session-secret-0123456789abcdef')}`)}`;
  const rows = targets(stack, porterCookie, forgedCookie, eocCookie);

  console.log(`Warming up (${WARMUP_SECONDS} s each)...`);
  for (const target of rows.all) await measure(target, stack.redis, { seconds: WARMUP_SECONDS, round: 0, connections: CONNECTIONS });
  const samples = await interleavedRounds(rows.all, stack);
  const roundsDoneAt = Date.now();

  // At saturation a faster server also queues more work per GC pause; at one offered load both
  // do the same work, and the tail shows what a request costs rather than how deep the queue is.
  const equalRate = Math.round(EQUAL_LOAD_SHARE * median((samples.get(rows.bareExpress) ?? []).map((s) => s.requestsPerSecond)));
  console.log(`Latency at an equal offered load of ${equalRate} req/s...`);
  const equalLoad = await interleavedRounds([rows.signedIn, rows.bareExpress], stack, equalRate);

  console.log(`Measuring server CPU over ${SIGN_INS} sign-ins each after ${SIGN_IN_WARMUP} to warm up, then a burst of ${BURST.concurrency} browsers for ${BURST.seconds} s each...`);
  const porterSignInTarget = { name: 'Porter', pid: porter.pid, signIn: signInAtPorter };
  const eocSignInTarget = { name: 'express-openid-connect', pid: eoc.pid, signIn: signInAtEoc };
  const signIns = await measureSignIns([porterSignInTarget, eocSignInTarget], {
    count: SIGN_INS,
    warmup: SIGN_IN_WARMUP,
    rounds: ROUNDS,
    concurrency: BURST.concurrency,
    burstSeconds: BURST.seconds,
  });
  const porterSignIns = signIns.get(porterSignInTarget) as SignInFigures;
  const eocSignIns = signIns.get(eocSignInTarget) as SignInFigures;
  const porterSignIn = porterSignIns.cpuMicros;
  const eocSignIn = eocSignIns.cpuMicros;
  const liveIndex = await liveIndexShare(stack.redis, porterConfig.redis.prefix);
  const bytesPerSession = bytes.session + bytes.userIndex + bytes.sidIndex + liveIndex.bytes;

  const summary = summarize(samples, { bareExpress: rows.bareExpress, eoc: rows.eoc });
  const equalLoadSummary = summarize(equalLoad, { bareExpress: rows.bareExpress });
  const row = (target: Target) => summary.find((r) => r.name === target.name) as RowSummary;
  const results = goals({
    signedIn: row(rows.signedIn),
    noCookie: row(rows.noCookie),
    forged: row(rows.forged),
    bareExpress: row(rows.bareExpress),
    equalLoad: { rate: equalRate, porterP99Ms: equalLoadSummary[0]?.p99Ms ?? NaN, bareExpressP99Ms: equalLoadSummary[1]?.p99Ms ?? NaN },
    touchesAllowed: Math.floor((roundsDoneAt - signedInAt) / porterConfig.session.touchIntervalMs),
    touchIntervalMs: porterConfig.session.touchIntervalMs,
    bytesPerSession,
    signInCpuMicros: { porter: porterSignIn, eoc: eocSignIn },
  });

  // Anything else running on the machine skews req/s more than CPU per request: say how busy it was.
  const machine =
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; Redis ${stack.redisVersion} on loopback; ` +
    `load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(2)} at the end`;
  const method =
    `${canPin ? 'server pinned to core 0, autocannon (separate process), Redis and Campus One on core 1' : 'not pinned (no taskset)'}; ` +
    `${CONNECTIONS} connections; medians of ${ROUNDS} interleaved rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up each`;
  const perSession = [
    ['Redis bytes per session (MEMORY USAGE): session key', `${bytes.session} B (${bytes.storedChars} chars of JSON, ${bytes.sealedTokenChars} of them sealed tokens)`],
    ['index keys of a one-session user: user → sessions, Campus One sid → sessions', `${bytes.userIndex} B + ${bytes.sidIndex} B`],
    [`share of the live-session index (role counts), at ${liveIndex.sessions} sessions`, `${liveIndex.bytes} B`],
    ['total per session', `${bytesPerSession} B`],
    [
      `server CPU per sign-in (${SIGN_INS} each after ${SIGN_IN_WARMUP} to warm up, 4 at a time, median of ${ROUNDS} interleaved rounds; Campus One excluded)`,
      `Porter ${fixed(porterSignIn / 1000, 2)} ms; express-openid-connect ${fixed(eocSignIn / 1000, 2)} ms (${fixed(porterSignIn / eocSignIn, 2)}×)`,
    ],
    ...[porterSignIns, eocSignIns].map((figures, i) => [
      `burst: ${i === 0 ? 'Porter' : 'express-openid-connect'}, ${BURST.concurrency} browsers signing in at once for ${BURST.seconds} s (the local Campus One in the bench's process on core 1)`,
      `${fixed(figures.burst.perSecond, 1)} complete sign-ins/s; server ${fixed(figures.burst.cpuMicros / 1000, 2)} ms CPU per sign-in, core ${fixed(figures.burst.serverCoreBusy * 100)} % busy` +
        (figures.burst.failed > 0 ? `; ${figures.burst.failed} failed (first: ${figures.burst.firstFailure})` : ''),
    ]),
  ];
  console.log(`\n${renderReport({ method, machine, summary, equalRate, equalLoadSummary, perSession, goals: results })}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const json = {
    machine,
    method,
    summary,
    equalLoad: { rate: equalRate, rows: equalLoadSummary },
    memory: { ...bytes, liveIndex, total: bytesPerSession },
    signIn: { count: SIGN_INS, porter: porterSignIns, eoc: eocSignIns },
    goals: results,
  };
  writeFileSync(file, JSON.stringify(json, null, 2));
  console.log(`Results written to ${file}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`);
  if (!results.every((g) => g.met)) process.exitCode = 2;
}

function targets(stack: BenchStack, porterCookie: string, forgedCookie: string, eocCookie: string) {
  const { porter, eoc, bareExpress, bareNode } = stack;
  const me = `${porter.origin}/auth/me`;
  const rows = {
    signedIn: { name: 'Porter /auth/me, signed in', server: porter, url: me, cookie: porterCookie, expect: 200 },
    noCookie: { name: 'Porter /auth/me, no cookie', server: porter, url: me, expect: 401 },
    forged: { name: 'Porter /auth/me, forged cookie', server: porter, url: me, cookie: forgedCookie, expect: 401 },
    bareExpress: { name: 'Express 5 + cookie-parser + 1 GET', server: bareExpress, url: `${bareExpress.origin}/auth/me`, cookie: porterCookie, expect: 200 },
    bareNode: { name: 'node:http + HMAC + 1 GET', server: bareNode, url: `${bareNode.origin}/auth/me`, cookie: porterCookie, expect: 200 },
    eoc: { name: 'express-openid-connect 3 + connect-redis', server: eoc, url: `${eoc.origin}/me`, cookie: eocCookie, expect: 200 },
  } satisfies Record<string, Target>;
  return { ...rows, all: Object.values(rows) as Target[] };
}

/** Every target once per round; each round starts one target later, so no row always follows the same one. */
async function interleavedRounds(list: readonly Target[], stack: BenchStack, rate?: number): Promise<Samples> {
  const samples: Samples = new Map(list.map((t) => [t, [] as Sample[]]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (let i = 0; i < list.length; i++) {
      const target = list[(i + round - 1) % list.length] as Target;
      const sample = await measure(target, stack.redis, { seconds: SECONDS, round, connections: CONNECTIONS, ...(rate ? { rate } : {}) });
      samples.get(target)?.push(sample);
      console.log(
        `  round ${round}/${ROUNDS}  ${target.name.padEnd(42)} ${fixed(sample.requestsPerSecond).padStart(6)} req/s  p99 ${sample.p99Ms} ms  ` +
          `${fixed(sample.cpuMicrosPerRequest)} µs/req  server core ${fixed(sample.serverCoreBusy * 100)} %`,
      );
    }
  }
  return samples;
}

function renderReport(r: {
  method: string;
  machine: string;
  summary: RowSummary[];
  equalRate: number;
  equalLoadSummary: RowSummary[];
  perSession: string[][];
  goals: Goal[];
}): string {
  const percent = (share: number) => `${fixed(share * 100)} %`;
  return [
    `### /auth/me under load (${r.method})`,
    '',
    markdownTable(
      ['server doing the work of /auth/me', 'status', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core busy', 'Redis per request', '× bare Express, req/s', '× bare Express, CPU'],
      r.summary.map((row) => [
        row.name,
        String(row.status),
        fixed(row.requestsPerSecond),
        fixed(row.p50Ms, 1),
        fixed(row.p99Ms, 1),
        fixed(row.cpuMicrosPerRequest),
        percent(row.serverCoreBusy),
        row.redisPerRequest,
        `${fixed(row.ratioToBareExpress, 2)}×`,
        `${fixed(row.cpuRatioToBareExpress, 2)}×`,
      ]),
    ),
    '',
    `Machine: ${r.machine}.`,
    '',
    `### Latency at one offered load: ${r.equalRate} req/s (${EQUAL_LOAD_SHARE * 100} % of bare Express's median req/s), corrected for coordinated omission`,
    '',
    markdownTable(
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core busy'],
      r.equalLoadSummary.map((row) => [row.name, fixed(row.requestsPerSecond), fixed(row.p50Ms, 1), fixed(row.p99Ms, 1), fixed(row.cpuMicrosPerRequest), percent(row.serverCoreBusy)]),
    ),
    '',
    '### Porter per session and per sign-in',
    '',
    markdownTable(['measure', 'value'], r.perSession),
    '',
    '### Goals',
    '',
    ...r.goals.map((g) => `- ${g.met ? '✅' : '❌'} ${g.name}: ${g.figure}`),
  ].join('\n');
}
