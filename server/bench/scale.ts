// `pnpm bench:scale`: what Porter's operations cost as the number of live sessions grows.
// Fills Redis with synthetic sessions written by Porter's own store and index code (copies of a
// real signed-in session), to each size in turn, and times at each size: /auth/me, the admin
// report, a webhook role change for a user with 50 sessions, and a back-channel logout by `sub`
// for a user with 50 sessions; plus Redis bytes per session. Prints a Markdown table; writes
// JSON to server/bench-results/. A script, not a test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SessionData } from 'express-session';
import type { UserSessionsResponse } from '@porter/shared';
import { signLogoutToken } from '../dev/logout-tokens.js';
import { deliverWebhook, webhookEvent } from '../dev/webhooks.js';
import type { WebhookAnswer } from '../src/webhooks/receive.js';
import { createKeys } from '../src/store/keys.js';
import { SessionFiller } from './lib/fill.js';
import { fixed, markdownTable, percentile } from './lib/report.js';
import { runBench, timeEach, type Stops } from './lib/script.js';
import { sessionIdOf, signIn } from './lib/sign-in.js';
import { PORTER_CLIENT_ID, SERVER_DIR, WEBHOOK_SECRET, startBenchStack } from './lib/stack.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    sizes: { type: 'string', default: '1000,100000' },
    me: { type: 'string', default: '3000' },
    reports: { type: 'string', default: '100' },
    'role-changes': { type: 'string', default: '40' },
    logouts: { type: 'string', default: '40' },
    listings: { type: 'string', default: '100' },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const COUNTS = { me: Number(args.me), reports: Number(args.reports), roleChanges: Number(args['role-changes']), logouts: Number(args.logouts), listings: Number(args.listings) };
/** A heavy user: a webhook or a logout then touches this many sessions. */
const USER_SESSIONS = 50;
/** Roles of the synthetic population: mostly students, as on a campus. */
const ROLES = ['student', 'student', 'student', 'student', 'student', 'student', 'student', 'student', 'staff', 'admin'];
/** A row at the largest size may cost at most this many times its cost at the smallest. */
const FLAT_FACTOR = 1.5;
const REPORTS_P99_GOAL_MS = 30;
const RESULTS_DIR = join(SERVER_DIR, 'bench-results');

interface Row {
  name: string;
  /** Per size: the durations in ms, or bytes for the memory row. */
  bySize: Map<number, { p50: number; p99: number }>;
  unit: 'ms' | 'B';
}

await runBench(main);

async function main(stops: Stops) {
  const loadAtStart = loadavg()[0]?.toFixed(2);
  const startedAt = Date.now();
  console.log('Starting Redis, Campus One and Porter...');
  const stack = await startBenchStack(stops, { profileDir: null });
  const { porter, porterConfig, provider, redis } = stack;
  const keys = createKeys(porterConfig.redis.prefix);
  const cookieName = porterConfig.session.cookieName;
  const signInAs = async (account: string) => {
    const value = (await signIn(`${porter.origin}/auth/login?returnTo=/`, porter.origin, '/auth/callback', account)).cookie(cookieName) ?? '';
    return { cookie: `${cookieName}=${value}`, id: sessionIdOf(value) };
  };
  const student = await signInAs('student');
  const admin = await signInAs('admin');
  const template = JSON.parse((await redis.get(keys.session(student.id))) ?? 'null') as SessionData | null;
  if (!template?.tokens) throw new Error('the signed-in student has no stored session to copy');

  const filler = await SessionFiller.open(stack.redisUrl, porterConfig, template);
  stops.push(() => filler.close());
  const rows: Row[] = [
    { name: '`GET /auth/me` (signed in)', bySize: new Map(), unit: 'ms' },
    { name: '`GET /api/admin/reports`', bySize: new Map(), unit: 'ms' },
    { name: `webhook \`user.role_changed\`, user with ${USER_SESSIONS} sessions`, bySize: new Map(), unit: 'ms' },
    { name: `back-channel logout by \`sub\`, user with ${USER_SESSIONS} sessions`, bySize: new Map(), unit: 'ms' },
    { name: `admin listing of a user with ${USER_SESSIONS} sessions`, bySize: new Map(), unit: 'ms' },
    { name: 'Redis bytes per session (`INFO memory` delta / sessions)', bySize: new Map(), unit: 'B' },
  ];
  const [me, reports, roleChange, logout, listing, bytes] = rows as [Row, Row, Row, Row, Row, Row];
  const timed = (row: Row, size: number, times: number[]) => {
    row.bySize.set(size, { p50: percentile(times, 50), p99: percentile(times, 99) });
    console.log(`  ${size} sessions  ${row.name.padEnd(60)} p50 ${fixed(percentile(times, 50), 2)} ms  p99 ${fixed(percentile(times, 99), 2)} ms`);
  };
  const expectStatus = async (response: Response, status: number, what: string) => {
    if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`);
    return response;
  };

  const heavySub = 'bench-role-change-user';
  await filler.fill(USER_SESSIONS, () => ({ sub: heavySub, role: 'student' }));
  let filled = 0;
  let roleChanges = 0;
  for (const size of SIZES) {
    const fillStart = Date.now();
    const memoryBefore = await usedMemory(redis);
    const offset = filled;
    await filler.fill(size - filled, (i) => ({ sub: `bench-user-${offset + i}`, role: ROLES[(offset + i) % ROLES.length] ?? 'student' }));
    const perSession = (await usedMemory(redis)) - memoryBefore;
    bytes.bySize.set(size, { p50: perSession / (size - filled), p99: NaN });
    console.log(`Filled to ${size} sessions in ${((Date.now() - fillStart) / 1000).toFixed(1)} s (${fixed(perSession / (size - filled))} B each)`);
    filled = size;

    const get = (path: string, cookie: string) => fetch(`${porter.origin}${path}`, { headers: { cookie, accept: 'application/json' } });
    // Warm up each path at this size first: V8 and the connection, not the measured calls.
    for (let i = 0; i < 200; i++) await (await expectStatus(await get('/auth/me', student.cookie), 200, '/auth/me')).arrayBuffer();
    timed(me, size, await timeEach(COUNTS.me, async () => void (await (await expectStatus(await get('/auth/me', student.cookie), 200, '/auth/me')).arrayBuffer())));

    await (await expectStatus(await get('/api/admin/reports', admin.cookie), 200, '/api/admin/reports')).arrayBuffer();
    timed(reports, size, await timeEach(COUNTS.reports, async () => {
      const report = (await (await expectStatus(await get('/api/admin/reports', admin.cookie), 200, '/api/admin/reports')).json()) as { activeSessions: { total: number } };
      if (report.activeSessions.total < size) throw new Error(`the report counts ${report.activeSessions.total} active sessions, fewer than the ${size} filled`);
    }));

    timed(roleChange, size, await timeEach(COUNTS.roleChanges, async () => {
      const [previous, next] = roleChanges++ % 2 === 0 ? ['student', 'staff'] : ['staff', 'student'];
      const event = webhookEvent('user.role_changed', { user_id: heavySub, previous_role: previous, new_role: next });
      const answer = (await (await expectStatus(await deliverWebhook(`${porter.origin}/webhooks/campus-one`, WEBHOOK_SECRET, event), 200, 'webhook')).json()) as WebhookAnswer;
      if (answer.outcome !== 'applied' || answer.sessions !== USER_SESSIONS) throw new Error(`the role change was not applied to ${USER_SESSIONS} sessions: ${JSON.stringify(answer)}`);
    }));

    timed(listing, size, await timeEach(COUNTS.listings, async () => {
      const answer = (await (await expectStatus(await get(`/api/admin/users/${heavySub}/sessions`, admin.cookie), 200, 'admin listing')).json()) as UserSessionsResponse;
      if (answer.sessions.length !== USER_SESSIONS) throw new Error(`the admin listing shows ${answer.sessions.length} sessions, not ${USER_SESSIONS}`);
    }));

    // Each logout ends a fresh user's sessions, written (untimed) just before.
    const logoutTimes: number[] = [];
    for (let k = 0; k < COUNTS.logouts; k++) {
      const sub = `bench-logout-${size}-${k}`;
      await filler.fill(USER_SESSIONS, () => ({ sub, role: 'student' }));
      const token = await signLogoutToken(provider, { audience: PORTER_CLIENT_ID, claims: { sub } });
      const [time = NaN] = await timeEach(1, async () => {
        const response = await fetch(`${porter.origin}/auth/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: token }).toString(),
        });
        await (await expectStatus(response, 200, 'back-channel logout')).arrayBuffer();
      });
      logoutTimes.push(time);
      if ((await redis.zcard(keys.userSessions(sub))) !== 0) throw new Error(`the back-channel logout left sessions of ${sub}`);
    }
    timed(logout, size, logoutTimes);
  }

  const smallest = SIZES[0] ?? 0;
  const largest = SIZES.at(-1) ?? 0;
  const ratio = (row: Row, of: 'p50' | 'p99') => (row.bySize.get(largest)?.[of] ?? NaN) / (row.bySize.get(smallest)?.[of] ?? NaN);
  const goals = [
    ...rows.map((row) => {
      const of = row.unit === 'B' ? 'p50' : 'p99';
      return { name: `${row.name}: ${of === 'p99' ? 'p99 ' : ''}at ${largest} ≤ ${FLAT_FACTOR}× at ${smallest}`, figure: `${fixed(ratio(row, of), 2)}×`, met: ratio(row, of) <= FLAT_FACTOR };
    }),
    {
      name: `\`GET /api/admin/reports\` p99 ≤ ${REPORTS_P99_GOAL_MS} ms at ${largest}`,
      figure: `${fixed(reports.bySize.get(largest)?.p99 ?? NaN, 1)} ms`,
      met: (reports.bySize.get(largest)?.p99 ?? Infinity) <= REPORTS_P99_GOAL_MS,
    },
  ];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; Redis ${stack.redisVersion} on loopback; load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(2)} at the end`;
  const cell = (row: Row, size: number) => {
    const figures = row.bySize.get(size);
    if (!figures) return ['n/a', 'n/a'];
    return row.unit === 'B' ? [fixed(figures.p50), ''] : [fixed(figures.p50, 2), fixed(figures.p99, 2)];
  };
  const table = markdownTable(
    ['operation', ...SIZES.flatMap((size) => [`p50 ms at ${size.toLocaleString('en')}`, `p99 ms at ${size.toLocaleString('en')}`]), `× at ${largest.toLocaleString('en')} (p99; bytes)`],
    rows.map((row) => [row.name, ...SIZES.flatMap((size) => cell(row, size)), `${fixed(ratio(row, row.unit === 'B' ? 'p50' : 'p99'), 2)}×`]),
  );
  const method =
    `one request at a time over loopback: ${COUNTS.me} /auth/me, ${COUNTS.reports} reports, ${COUNTS.roleChanges} role changes, ` +
    `${COUNTS.logouts} logouts, ${COUNTS.listings} admin listings per size; synthetic sessions are copies of a real one written by Porter's store and index code; ` +
    `bytes: the Redis memory the fill to that size added, per session added`;
  console.log(
    [
      '',
      `### Cost by number of live sessions (${method})`,
      '',
      table,
      '',
      `Machine: ${machine}. Whole run: ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
      '',
      '### Goals',
      '',
      ...goals.map((g) => `- ${g.met ? '✅' : '❌'} ${g.name}: ${g.figure}`),
    ].join('\n'),
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const json = { machine, method, rows: rows.map((row) => ({ ...row, bySize: Object.fromEntries(row.bySize) })), goals };
  writeFileSync(file, JSON.stringify(json, null, 2));
  console.log(`Results written to ${file}`);
  if (!goals.every((g) => g.met)) process.exitCode = 2;
}

async function usedMemory(redis: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
}
