import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ensureRedisServer, freePort, startRedis } from '../../../scripts/redis.mjs';
import { startCampusOne, type CampusOne } from '../../dev/campus-one.js';
import { CAMPUS_ONE_DEFAULTS, loadConfig, type Config } from '../../src/config.js';
import { LOAD_CORE, SERVER_CORE, pinProcess, spawnNode, stopChild, waitForHttp } from './processes.js';

export const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SESSION_SECRET = 'bench-session-secret-0123456789-abcdefgh';
const PORTER_CLIENT = { clientId: 'porter-bench', clientSecret: 'porter-bench-secret-0123456789' };
/** Porter's webhook secret in the benchmarks, so a bench can send Campus One's webhooks. */
export const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';
export const PORTER_CLIENT_ID = PORTER_CLIENT.clientId;
const EOC_CLIENT = { clientId: 'eoc-bench', clientSecret: 'eoc-bench-secret-0123456789' };

export interface Server {
  name: string;
  origin: string;
  child: ChildProcess;
  pid: number;
}

export interface BenchStack {
  redis: Redis;
  /** `redis://127.0.0.1:<port>`, for a second client (Porter's own store code in the bench). */
  redisUrl: string;
  redisVersion: string;
  provider: CampusOne;
  /** Porter's configuration as its process parsed it, for cookie names, keys and timeouts. */
  porterConfig: Config;
  porter: Server;
  eoc: Server;
  bareExpress: Server;
  bareNode: Server;
}

/** Pins this script to the load core and starts a Redis there, with a client; both registered in `stops`. */
export async function startBenchRedis(stops: (() => Promise<void>)[]) {
  pinProcess(process.pid, LOAD_CORE);
  ensureRedisServer();
  const runningRedis = await startRedis(await freePort());
  stops.push(() => runningRedis.stop());
  if (runningRedis.pid !== undefined) pinProcess(runningRedis.pid, LOAD_CORE);
  const redis = new Redis(runningRedis.url);
  stops.push(async () => redis.disconnect());
  return { runningRedis, redis };
}

/**
 * Starts Redis, the local Campus One (here, on the load core: it only works during sign-ins)
 * and each server as its own process on the server core. Everything started is registered in
 * `stops`, newest last, so the caller can stop it all by pid even when starting fails halfway.
 */
export async function startBenchStack(stops: (() => Promise<void>)[], options: { profileDir: string | null }): Promise<BenchStack> {
  const { runningRedis, redis } = await startBenchRedis(stops);
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';

  const [porterPort, eocPort, expressPort, nodePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const origin = (port: number | undefined) => `http://127.0.0.1:${port}`;
  const porterOrigin = origin(porterPort);
  const eocOrigin = origin(eocPort);

  const provider = await startCampusOne({
    clients: [
      {
        ...PORTER_CLIENT,
        redirectUris: [`${porterOrigin}/auth/callback`],
        postLogoutRedirectUris: [`${porterOrigin}/`],
        // As in production: id_tokens then carry `sid`, and Porter indexes sessions by it.
        backchannelLogoutUri: `${porterOrigin}/auth/backchannel-logout`,
      },
      { ...EOC_CLIENT, redirectUris: [`${eocOrigin}/callback`], postLogoutRedirectUris: [`${eocOrigin}/`] },
    ],
  });
  stops.push(() => provider.close());

  const porterEnv = {
    HOST: '127.0.0.1',
    PORT: String(porterPort),
    APP_URL: porterOrigin,
    CAMPUS_ONE_ISSUER: provider.issuer,
    CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
    CAMPUS_ONE_CLIENT_ID: PORTER_CLIENT.clientId,
    CAMPUS_ONE_CLIENT_SECRET: PORTER_CLIENT.clientSecret,
    SESSION_SECRET,
    CAMPUS_ONE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    REDIS_URL: runningRedis.url,
    REDIS_PREFIX: 'bench:',
    LOG_LEVEL: 'info',
    // All the bench's browsers come from one address: bench:scale calls the admin API a few
    // hundred times a minute, and the sign-in burst makes thousands of sign-ins a minute (the
    // limit's Redis call is still made and counted).
    RATE_LIMIT_ADMIN: '100000',
    RATE_LIMIT_SIGN_IN: '1000000',
  };
  const porterConfig = loadConfig(porterEnv, () => SESSION_SECRET);
  const floorEnv = {
    REDIS_URL: runningRedis.url,
    SESSION_SECRET,
    SESSION_KEY_PREFIX: `${porterConfig.redis.prefix}sess:`,
    SESSION_COOKIE: porterConfig.session.cookieName,
    SESSION_IDLE_TIMEOUT_MS: String(porterConfig.session.idleTimeoutMs),
  };

  const start = async (name: string, entry: string, port: number | undefined, env: Record<string, string>, readyPath: string) => {
    // One folder per server: the main thread and tsx's loader thread each write a profile.
    const profileDir = options.profileDir ? join(options.profileDir, name) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // Only what the server needs: nothing from the caller's shell (NODE_ENV, REDIS_URL...) leaks in.
    const child = spawnNode([...profile, '--conditions=@porter/source', '--import', 'tsx', entry], SERVER_CORE, {
      cwd: SERVER_DIR,
      // METRICS_PORT 0: Porter's /metrics listener as in production, on a free port.
      env: { PATH: process.env.PATH ?? '', PORT: String(port), METRICS_PORT: '0', ...env },
    });
    stops.push(() => stopChild(child));
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    await waitForHttp(origin(port) + readyPath, child);
    return { name, origin: origin(port), child, pid: child.pid };
  };

  const [porter, eoc, bareExpress, bareNode] = await Promise.all([
    start('porter', 'src/main.ts', porterPort, porterEnv, '/healthz'),
    start('eoc', 'bench/targets/eoc.ts', eocPort, {
      ...floorEnv,
      CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
      CAMPUS_ONE_CLIENT_ID: EOC_CLIENT.clientId,
      CAMPUS_ONE_CLIENT_SECRET: EOC_CLIENT.clientSecret,
      CAMPUS_ONE_SCOPES: CAMPUS_ONE_DEFAULTS.scopes,
    }, '/me'),
    start('bare-express', 'bench/targets/bare-express.ts', expressPort, floorEnv, '/auth/me'),
    start('bare-node', 'bench/targets/bare-node.ts', nodePort, floorEnv, '/auth/me'),
  ]);
  return { redis, redisUrl: runningRedis.url, redisVersion, provider, porterConfig, porter, eoc, bareExpress, bareNode };
}
