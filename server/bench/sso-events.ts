// `pnpm bench:sso-events`: how long Porter takes to answer a django-sso gateway's
// `POST /sso/event/` (update_account) for a user with 1, 5 and 25 live sessions, against the
// gateway's ~0.1 s timeout (it does not retry: a late answer is a lost event). Porter as its own
// process (src/main.ts) with real Redis on loopback, the sessions made by real sign-ins through
// the local gateway; events sent one at a time, each flipping is_staff, so every one rewrites
// every session. Prints median, p99 and max in ms per case, and Porter's CPU per event. A script, not a test.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort } from '../../scripts/redis.mjs';
import { ssoEvent, EVENT_PATH } from '../dev/django-sso-events.js';
import { SEEDED_SSO_USERS, accountFields, startDjangoSsoGateway } from '../dev/django-sso-gateway.js';
import { LOAD_CORE, SERVER_CORE, canPin, cpuMicros, spawnNode, stopChild, waitForHttp } from './lib/processes.js';
import { fixed, markdownTable, median, percentile } from './lib/report.js';
import { runBench, timeEach } from './lib/script.js';
import { SERVER_DIR, startBenchRedis } from './lib/stack.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    events: { type: 'string', default: '500' },
    sessions: { type: 'string', default: '1,5,25' },
  },
});
const EVENTS = Number(args.events);
const SESSION_COUNTS = args.sessions.split(',').map(Number);
const GATEWAY_TIMEOUT_MS = 100;
const TOKEN = 'bench-sso-service-token-0123456789';

await runBench(async (stops) => {
  const { runningRedis } = await startBenchRedis(stops);
  const porterPort = await freePort();
  const porter = `http://127.0.0.1:${porterPort}`;
  const gateway = await startDjangoSsoGateway({ services: [{ token: TOKEN, baseUrl: porter }], eventTimeoutMs: 5_000 });
  stops.push(() => gateway.close());
  const child = spawnNode(['--conditions=@porter/source', '--import', 'tsx', 'src/main.ts'], SERVER_CORE, {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(porterPort),
      APP_URL: porter,
      SESSION_SECRET: 'bench-session-secret-0123456789-abcdefgh',
      REDIS_URL: runningRedis.url,
      REDIS_PREFIX: 'bench-sso:',
      PORTER_IDENTITY_PROVIDER: 'django-sso',
      DJANGO_SSO_GATEWAY_URL: gateway.url,
      DJANGO_SSO_SERVICE_TOKEN: TOKEN,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
  });
  stops.push(() => stopChild(child));
  const pid = child.pid;
  if (pid === undefined) throw new Error('Porter did not start');
  // tsx compiles the server on start: slow on a busy machine.
  await waitForHttp(`${porter}/healthz`, child, 120_000);
  console.log(`Load average at start: ${loadavg()[0]?.toFixed(2) ?? '?'} on ${cpus().length} cores.`);
  console.log(`Porter (django-sso) at ${porter}, Redis at ${runningRedis.url}${canPin ? `; Porter on core ${SERVER_CORE}, the rest on core ${LOAD_CORE}` : ''}.`);

  const user = SEEDED_SSO_USERS.find((candidate) => candidate.id === 'student')!;
  const rows: string[][] = [];
  let live = 0;
  for (const sessions of SESSION_COUNTS) {
    while (live < sessions) {
      await signIn(porter, gateway.loginUrl.bind(gateway), user.identy);
      live++;
    }
    const bodies: [string, string] = [true, false].map((isStaff) => JSON.stringify(ssoEvent('update_account', TOKEN, { fields: { ...accountFields(user), is_staff: isStaff } }))) as [string, string];
    const send = async (i: number) => {
      const answer = await fetch(`${porter}${EVENT_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i % 2 === 0 ? 0 : 1] });
      const text = await answer.text();
      if (answer.status !== 200) throw new Error(`/sso/event/ answered ${answer.status}: ${text}`);
    };
    await timeEach(50, send);
    const cpuBefore = cpuMicros(pid);
    const times = await timeEach(EVENTS, send);
    const cpuMsPerEvent = (cpuMicros(pid) - cpuBefore) / 1000 / EVENTS;
    const late = times.filter((ms) => ms > GATEWAY_TIMEOUT_MS).length;
    rows.push([String(sessions), String(EVENTS), fixed(median(times), 2), fixed(percentile(times, 99), 2), fixed(Math.max(...times), 2), String(late), fixed(cpuMsPerEvent, 2)]);
  }
  console.log(`\nPOST /sso/event/ update_account, one at a time (ms; the gateway waits ${GATEWAY_TIMEOUT_MS} ms):\n`);
  console.log(markdownTable(['live sessions of the user', 'events', 'median', 'p99', 'max', `over ${GATEWAY_TIMEOUT_MS} ms`, 'Porter CPU per event'], rows));
});

/** One sign-in through the gateway, by HTTP as a browser makes it; the session cookie is dropped (the session stays live). */
async function signIn(porter: string, loginUrl: (token: string) => string, identy: string): Promise<void> {
  const login = await fetch(`${porter}/auth/login?returnTo=%2F`, { redirect: 'manual' });
  const cookies = login.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const gatewayLogin = login.headers.get('location') ?? '';
  if (!gatewayLogin.startsWith(loginUrl(''))) throw new Error(`/auth/login sent the browser to ${gatewayLogin}`);
  const picked = await fetch(gatewayLogin, { method: 'POST', body: new URLSearchParams({ username: identy }), redirect: 'manual' });
  const accept = picked.headers.get('location') ?? '';
  const back = await fetch(accept, { headers: { cookie: cookies }, redirect: 'manual' });
  if (back.status !== 302 || !back.headers.getSetCookie().some((line) => line.startsWith('porter.sid='))) {
    throw new Error(`/sso/accept/ answered ${back.status}: ${await back.text()}`);
  }
}
