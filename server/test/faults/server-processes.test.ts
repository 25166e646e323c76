import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampusOne, type CampusOne } from '../../dev/campus-one.js';
import { freePort } from '../../../scripts/redis.mjs';
import { redisUrl, waitUntil } from '../support/env.js';
import { RedisProcess } from '../support/redis-processes.js';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { Browser, CLIENT, SESSION_SECRET, signIn } from '../support/stack.js';

/**
 * Porter as operators run it: `src/main.ts` in its own processes, configured by environment,
 * stopped with SIGTERM under keep-alive load, started before its Redis.
 */

const SHUTDOWN_TIMEOUT_MS = 10_000;

let provider: CampusOne;
let ports: [number, number];
let env: Record<string, string>;
beforeAll(async () => {
  ports = [await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${ports[0]}`;
  provider = await startCampusOne({
    clients: [{ ...CLIENT, redirectUris: [`${appUrl}/auth/callback`], postLogoutRedirectUris: [`${appUrl}/`] }],
  });
  env = {
    APP_URL: appUrl,
    HOST: '127.0.0.1',
    CAMPUS_ONE_ISSUER: provider.issuer,
    CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
    CAMPUS_ONE_CLIENT_ID: CLIENT.clientId,
    CAMPUS_ONE_CLIENT_SECRET: CLIENT.clientSecret,
    SESSION_SECRET,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `test:${randomUUID()}:`,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    LOG_LEVEL: 'info',
  };
});
afterAll(() => provider?.close());

/** The outcome of keep-alive load spread over two instances, as a load balancer spreads it. */
interface Tally {
  ok: number;
  /** By instance port: answers it gave. */
  served: Map<number, number>;
  /** Requests that got no 200 from any instance: a status, or a socket error's code. */
  failed: string[];
  /** Connections an instance refused (it stopped listening), sent to the other: a balancer's retry. */
  rerouted: number;
}

/**
 * Sends GET /auth/me with `cookie` from `workers` loops, each alternating between the two
 * instances over keep-alive connections, until `stop()`. Only a refused connection (nothing was
 * sent) is retried on the other instance; any other error or non-200 answer is a failure.
 */
function keepAliveLoad(cookie: string, workers: number) {
  const agents = new Map(ports.map((port) => [port, new Agent({ keepAlive: true, maxSockets: workers })]));
  const tally: Tally = { ok: 0, served: new Map(), failed: [], rerouted: 0 };
  let running = true;
  const get = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/auth/me', agent: agents.get(port), headers: { cookie, accept: 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const send = async (port: number, other: number) => {
    const answer = await get(port)
      .then(
        (status) => ({ port, status }),
        async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ECONNREFUSED') throw err;
          tally.rerouted++;
          return { port: other, status: await get(other) };
        },
      )
      .catch((err: NodeJS.ErrnoException) => void tally.failed.push(err.code ?? String(err)));
    if (!answer) return;
    if (answer.status !== 200) return void tally.failed.push(`status ${answer.status}`);
    tally.ok++;
    tally.served.set(answer.port, (tally.served.get(answer.port) ?? 0) + 1);
  };
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = worker; running; i++) {
      const [port, other] = i % 2 === 0 ? ports : [ports[1], ports[0]];
      await send(port, other);
    }
  });
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const agent of agents.values()) agent.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a rolling restart under keep-alive load', () => {
  let servers: ServerProcess[] = [];
  afterAll(() => {
    for (const server of servers) server.child.kill('SIGKILL');
  });

  it('fails no request, and the stopped instance exits as soon as its last request ends', async () => {
    servers = await Promise.all(ports.map((port) => startServer({ ...env, PORT: String(port) })));
    const browser = new Browser();
    await signIn(browser, { appUrl: env.APP_URL! }, 'student');
    const cookie = browser.cookieHeader(new URL(`${env.APP_URL}/auth/me`));

    const load = keepAliveLoad(cookie, 8);
    await sleep(500);
    const [first] = servers;
    const signalled = performance.now();
    first!.child.kill('SIGTERM');
    const code = await first!.exited;
    const exitMs = performance.now() - signalled;
    // The same instance again, on the same port, while the load goes on.
    const servedBefore = load.tally.served.get(ports[0]) ?? 0;
    servers.push(await startServer({ ...env, PORT: String(ports[0]) }));
    await waitUntil(async () => (load.tally.served.get(ports[0]) ?? 0) > servedBefore + 50, 5000);
    await load.stop();

    expect(load.tally.failed).toEqual([]);
    expect(load.tally.ok).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 5);
    expect(first!.stderr()).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('start-up before Redis', () => {
  it('listens, says on /readyz that the store is down, keeps checking, and serves once Redis is there', async () => {
    const port = await freePort();
    const server = await startServer({ ...env, PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}` });
    let redis: RedisProcess | undefined;
    try {
      const down = await fetch(`${server.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, store: 'down', provider: 'up' });
      await waitUntil(async () => server.stdout().includes('Redis does not work yet'), 5000);
      redis = await RedisProcess.start({ port });
      await waitUntil(async () => server.stdout().includes('Redis checked'), 5000);
      const up = await fetch(`${server.url}/readyz`);
      expect(await up.json()).toEqual({ ok: true, store: 'up', provider: 'up' });
    } finally {
      server.child.kill('SIGKILL');
      await redis?.stop();
    }
  });
});
