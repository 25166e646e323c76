// `pnpm bench:api`: a GET of a 2 KB JSON from an upstream through (a) Porter's API proxy with a
// signed-in session, (b) bare Express with the same forwarder (src/http/forward.ts, undici) and
// no session or token, the floor of proxying in Express, and (c) the upstream directly; in
// interleaved rounds within one run. Prints req/s, p50, p99 and server CPU per request, and the
// goal: Porter at least 0.8× (b) on req/s and on CPU per request. JSON in server/bench-results/.
// A script, not a test: absolute numbers drift between runs, ratios within a run do not.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../scripts/redis.mjs';
import { startCampusOne } from '../dev/campus-one.js';
import { loadConfig } from '../src/config.js';
import { runLoad } from './lib/load.js';
import { measure, type Sample, type Target } from './lib/measure.js';
import { LOAD_CORE, SERVER_CORE, canPin, spawnNode, stopChild, waitForHttp } from './lib/processes.js';
import { fixed, markdownTable, median } from './lib/report.js';
import { runBench, type Stops } from './lib/script.js';
import { signIn } from './lib/sign-in.js';
import { SERVER_DIR, startBenchRedis, type Server } from './lib/stack.js';
import { summarize, type Samples } from './lib/summary.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    profile: { type: 'boolean', default: false },
    // Porter started this many times with METRICS_PORT on and as many with it off, for the memory figure.
    'memory-pairs': { type: 'string', default: '2' },
  },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const MEMORY_PAIRS = Number(args['memory-pairs']);
const MIB = 1024 * 1024;
const RESULTS_DIR = join(SERVER_DIR, 'bench-results');
const GOAL = 0.8;
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefgh';
const CLIENT = { clientId: 'porter-bench', clientSecret: 'porter-bench-secret-0123456789' };

await runBench(main);

async function main(stops: Stops) {
  const loadAtStart = loadavg()[0]?.toFixed(2);
  const { runningRedis, redis } = await startBenchRedis(stops);

  const [porterPort, proxyPort, upstreamPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const porterOrigin = `http://127.0.0.1:${porterPort}`;
  const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
  const provider = await startCampusOne({
    clients: [{ ...CLIENT, redirectUris: [`${porterOrigin}/auth/callback`], postLogoutRedirectUris: [`${porterOrigin}/`] }],
  });
  stops.push(() => provider.close());

  /** A server as its own process: the proxies on the server core, the upstream beside the load. */
  const profileDir = args.profile ? join(RESULTS_DIR, 'profiles-api') : null;
  const start = async (name: string, entry: string, port: number, core: number, env: Record<string, string>, readyPath: string): Promise<Server> => {
    // One folder per server: the main thread and tsx's loader thread each write a profile.
    const dir = profileDir && core === SERVER_CORE ? join(profileDir, name) : null;
    if (dir) mkdirSync(dir, { recursive: true });
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    const child = spawnNode([...profile, '--conditions=@porter/source', '--import', 'tsx', entry], core, {
      cwd: SERVER_DIR,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    });
    stops.push(() => stopChild(child));
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    await waitForHttp(`http://127.0.0.1:${port}${readyPath}`, child);
    return { name, origin: `http://127.0.0.1:${port}`, child, pid: child.pid };
  };

  console.log(`Starting Redis, Campus One, the upstream and both proxies${canPin ? ' (proxies on core 0; load, upstream and Redis on core 1)' : ' (taskset unavailable: not pinned)'}...`);
  const upstream = await start('upstream', 'bench/targets/json-upstream.ts', upstreamPort, LOAD_CORE, {}, '/data.json');
  const porterEnv = {
    HOST: '127.0.0.1',
    APP_URL: porterOrigin,
    CAMPUS_ONE_ISSUER: provider.issuer,
    CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
    CAMPUS_ONE_CLIENT_ID: CLIENT.clientId,
    CAMPUS_ONE_CLIENT_SECRET: CLIENT.clientSecret,
    SESSION_SECRET,
    REDIS_URL: runningRedis.url,
    REDIS_PREFIX: 'bench-api:',
    PORTER_API_ROUTES: `/api/bench=${upstreamOrigin}`,
    // On, as in production, on a port of its own (the default 9464 may be taken on a shared machine).
    METRICS_PORT: String(metricsPort),
    // The per-session API limit stays on, so its Redis call is in the figures, with a budget
    // that one session's benchmark load never reaches (the default is 600 a minute).
    RATE_LIMIT_API: String(1_000_000_000),
  };
  const porterConfig = loadConfig({ ...porterEnv, PORT: String(porterPort) }, () => SESSION_SECRET);
  const [porter, bareProxy] = await Promise.all([
    start('porter', 'src/main.ts', porterPort, SERVER_CORE, porterEnv, '/healthz'),
    start('bare-proxy', 'bench/targets/bare-proxy.ts', proxyPort, SERVER_CORE, { UPSTREAM_URL: upstreamOrigin }, '/data.json'),
  ]);

  console.log('Signing in at the local Campus One...');
  const cookieName = porterConfig.session.cookieName;
  const porterCookie = `${cookieName}=${(await signIn(`${porterOrigin}/auth/login?returnTo=/dashboard`, porterOrigin, '/auth/callback')).cookie(cookieName) ?? ''}`;
  const check = await fetch(`${porterOrigin}/api/bench/data.json`, { headers: { cookie: porterCookie } });
  const bytes = (await check.arrayBuffer()).byteLength;
  if (check.status !== 200 || bytes !== 2048) throw new Error(`Porter's /api/bench/data.json answered ${check.status} with ${bytes} bytes`);

  const rows = {
    porter: { name: '(a) Porter /api/bench/data.json, signed in', server: porter, url: `${porterOrigin}/api/bench/data.json`, cookie: porterCookie, expect: 200 },
    bare: { name: '(b) Express 5 + undici forwarder, no auth', server: bareProxy, url: `${bareProxy.origin}/data.json`, expect: 200 },
    upstream: { name: '(c) the upstream directly', server: upstream, url: `${upstreamOrigin}/data.json`, expect: 200 },
  } satisfies Record<string, Target>;
  const all: Target[] = Object.values(rows);

  console.log(`Warming up (${WARMUP_SECONDS} s each)...`);
  for (const target of all) await measure(target, redis, { seconds: WARMUP_SECONDS, round: 0, connections: CONNECTIONS });
  const samples: Samples = new Map(all.map((target) => [target, [] as Sample[]]));
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round starts one target later, so no row always follows the same one.
    for (let i = 0; i < all.length; i++) {
      const target = all[(i + round - 1) % all.length] as Target;
      const sample = await measure(target, redis, { seconds: SECONDS, round, connections: CONNECTIONS });
      samples.get(target)?.push(sample);
      console.log(`  round ${round}/${ROUNDS}  ${target.name.padEnd(46)} ${fixed(sample.requestsPerSecond).padStart(6)} req/s  p99 ${sample.p99Ms} ms  ${fixed(sample.cpuMicrosPerRequest)} µs/req`);
    }
  }

  const summary = summarize(samples, { bareExpress: rows.bare });
  const porterRow = summary.find((row) => row.name === rows.porter.name);
  const goals = [
    { name: `Porter req/s ≥ ${GOAL}× bare Express + undici`, ratio: porterRow?.ratioToBareExpress ?? NaN },
    { name: `Porter CPU per request ≤ 1/${GOAL} of bare Express + undici (ratio ≥ ${GOAL}×)`, ratio: porterRow?.cpuRatioToBareExpress ?? NaN },
  ].map((goal) => ({ ...goal, met: goal.ratio >= GOAL }));

  const machine =
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ` +
    `load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(2)} at the end`;
  const method = `${CONNECTIONS} connections; medians of ${ROUNDS} interleaved rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up each; the upstream's CPU is its own row's`;
  console.log(
    [
      '',
      `### GET of a 2 KB JSON through the API proxy (${method})`,
      '',
      markdownTable(
        ['path', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'Redis per request', '× (b), req/s', '× (b), CPU'],
        summary.map((row) => [
          row.name,
          fixed(row.requestsPerSecond),
          fixed(row.p50Ms, 1),
          fixed(row.p99Ms, 1),
          fixed(row.cpuMicrosPerRequest),
          row.redisPerRequest,
          `${fixed(row.ratioToBareExpress, 2)}×`,
          `${fixed(row.cpuRatioToBareExpress, 2)}×`,
        ]),
      ),
      '',
      `Machine: ${machine}.`,
      '',
      ...goals.map((goal) => `- ${goal.met ? 'met' : 'NOT met'}: ${goal.name}: ${fixed(goal.ratio, 2)}×`),
      '',
    ].join('\n'),
  );
  // What the /metrics listener costs in memory: Porter as above, started with METRICS_PORT on and
  // off in turn, each warmed the same way (the on one also scraped), then its resident set read.
  console.log(`Memory of the metrics listener (${MEMORY_PAIRS} starts each with METRICS_PORT on and off)...`);
  const rssMiB: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (let pair = 0; pair < MEMORY_PAIRS; pair++) {
    for (const mode of pair % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const [port, scrapePort] = await Promise.all([freePort(), freePort()]);
      const server = await start(`porter-metrics-${mode}`, 'src/main.ts', port, SERVER_CORE, { ...porterEnv, METRICS_PORT: mode === 'on' ? String(scrapePort) : 'off' }, '/healthz');
      for (const path of ['/auth/me', '/api/bench/data.json']) {
        await runLoad({ url: `${server.origin}${path}`, cookie: porterCookie, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
      }
      if (mode === 'on') {
        for (let i = 0; i < 10; i++) await (await fetch(`http://127.0.0.1:${scrapePort}/metrics`)).text();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rssMiB[mode].push(residentMiB(server.pid));
      await stopChild(server.child);
    }
  }
  const memory = { onMiB: median(rssMiB.on), offMiB: median(rssMiB.off), samples: rssMiB };
  console.log(
    `Resident set after a ${WARMUP_SECONDS} s /auth/me and a ${WARMUP_SECONDS} s API warm-up (medians of ${MEMORY_PAIRS}): ` +
      `METRICS_PORT on ${fixed(memory.onMiB, 1)} MiB (10 scrapes), off ${fixed(memory.offMiB, 1)} MiB: ` +
      `the listener costs ${fixed(memory.onMiB - memory.offMiB, 1)} MiB (each start: on ${rssMiB.on.map((v) => fixed(v, 1)).join(', ')}; off ${rssMiB.off.map((v) => fixed(v, 1)).join(', ')}).`,
  );

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine, method, summary, goals, memory }, null, 2));
  console.log(`Results written to ${file}`);
  if (!goals.every((goal) => goal.met)) process.exitCode = 2;
}

/** A process's resident set (VmRSS), in MiB. */
function residentMiB(pid: number): number {
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return (kib * 1024) / MIB;
}
