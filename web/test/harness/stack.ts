import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort, startRedis } from '../../../scripts/redis.mjs';
import type { RunningRedis } from '../../../scripts/redis.mjs';
import { killOnExit, runToCompletion, startProcess, statusOf, waitFor } from './processes';
import type { ChildEnv, Running } from './processes';

/*
 * Porter as it runs in production, on loopback: `next start` over a `next build`, the built
 * server (`node dist/main.js`), Redis, and the local Campus One, each a process of its own on a
 * free port, stopped by pid. Used by the end-to-end tests and the proxy benchmark.
 */

export const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
export const WEB_DIR = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../../../server/', import.meta.url));
const CAMPUS_ONE_RUNNER = fileURLToPath(new URL('./campus-one.mjs', import.meta.url));
const GATEWAY_RUNNER = fileURLToPath(new URL('./django-sso-gateway.mjs', import.meta.url));
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

export type AccountId = 'student' | 'staff' | 'admin';

/** A seeded Campus One account, as the provider describes it. */
export interface Account {
  readonly id: AccountId;
  readonly name: string;
  readonly role: string;
  readonly studentId: string | null;
}

export interface Stack {
  /** APP_URL: the only origin the browser talks to, besides Campus One's. */
  readonly webUrl: string;
  readonly serverUrl: string;
  /** Where the local Campus One's discovery document is, for other clients (bench/page.ts). */
  readonly discoveryUrl: string;
  readonly redisUrl: string;
  /** Each process's pid, to read its CPU time. */
  readonly pids: { readonly web: number; readonly server: number; readonly redis: number };
  /** Campus One's issuer, the origin of its sign-in and sign-out pages. */
  readonly issuer: string;
  /** With `identityProvider: 'django-sso'`: the local gateway, the server's identity provider. */
  readonly gateway: Gateway | null;
  account(id: AccountId): Account;
  /** Stops the BFF alone, to see the web app cope without it. */
  stopServer(): Promise<void>;
  /** Stops everything still running. */
  stop(): Promise<void>;
}

/** The local django-sso gateway, as its runner describes it. */
export interface Gateway {
  /** The SSO root; its sign-in page is `{url}/login/`. */
  readonly url: string;
  readonly users: readonly { readonly id: AccountId; readonly identy: string; readonly name: string }[];
}

export interface StackOptions {
  /** The port the web app was built for. */
  readonly serverPort: number;
  /**
   * `django-sso`: the server signs people in through the local gateway (PORTER_IDENTITY_PROVIDER),
   * registered with the web app's origin as the service's base URL. Campus One still runs, for
   * the campus API. Default `campus-one`.
   */
  readonly identityProvider?: 'campus-one' | 'django-sso';
  /** More clients registered at Campus One (bench/page.ts registers a next-auth app). */
  readonly clients?: readonly ExtraClient[];
  /** More variables for the server. */
  readonly serverEnv?: Record<string, string>;
  /** Node options for `next start` (bench/page.ts: `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly webNodeArgs?: readonly string[];
}

/** Another client registered at the local Campus One (server/dev/campus-one.ts `CampusOneClient`). */
export interface ExtraClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
}

export const bffUrlFor = (serverPort: number): string => `http://127.0.0.1:${serverPort}`;

/**
 * The environment children start from. Never the test runner's NODE_ENV (`test`): Next warns on
 * it and the server would read it.
 */
function baseEnv(): ChildEnv {
  const env: ChildEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.NODE_ENV;
  return env;
}

/**
 * Builds shared, the server and the web app. The web app's rewrites of /auth, /api and /webhooks
 * are frozen at build time (web/README.md), so it is built for the server port the stack will
 * use: the browser then reaches the BFF exactly as in production.
 */
export async function buildApps(serverPort: number): Promise<void> {
  const env = { ...baseEnv(), BFF_URL: bffUrlFor(serverPort) };
  await runToCompletion('pnpm', ['--filter', '@porter/server', 'build'], { cwd: ROOT_DIR, env });
  await runToCompletion('pnpm', ['--filter', '@porter/web', 'build'], { cwd: ROOT_DIR, env });
}

/** `next start` on 127.0.0.1:port; resolves once it serves a file (which never asks the BFF). */
export async function startWeb(options: { port: number; bffUrl: string; env?: Record<string, string>; nodeArgs?: readonly string[] }): Promise<Running> {
  const web = startProcess('next start', process.execPath, [...(options.nodeArgs ?? []), NEXT_BIN, 'start', '-p', String(options.port), '-H', '127.0.0.1'], {
    cwd: WEB_DIR,
    env: { ...baseEnv(), BFF_URL: options.bffUrl, ...options.env },
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor(`${url}/icon.svg`, async () => ((await statusOf(`${url}/icon.svg`)) === 200 ? true : undefined), {
    process: web,
  }).catch(async (error: unknown) => {
    await web.stop();
    throw error;
  });
  return web;
}

interface CampusOneInfo {
  issuer: string;
  discoveryUrl: string;
  accounts: Account[];
  /** The dev campus API, behind the BFF's `/api/campus`. */
  campusApiUrl: string;
}

/** Starts the whole stack with the server on `serverPort`, the port the web app was built for. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const each of started.reverse()) await each.stop();
    started.length = 0;
  };
  try {
    const redis: RunningRedis = await startRedis(await freePort());
    const redisPid = redis.pid === undefined ? null : killOnExit(redis.pid);
    started.push({ stop: () => redis.stop().then(() => redisPid?.forget()) });

    const webPort = await freePort();
    const webUrl = `http://127.0.0.1:${webPort}`;
    const serverUrl = bffUrlFor(options.serverPort);
    const client = { clientId: 'porter-e2e', clientSecret: randomBytes(24).toString('base64url') };

    const campusOne = startProcess(
      'Campus One',
      process.execPath,
      [
        '--import',
        'tsx',
        CAMPUS_ONE_RUNNER,
        JSON.stringify({
          host: '127.0.0.1',
          clients: [
            {
              ...client,
              redirectUris: [`${webUrl}/auth/callback`],
              postLogoutRedirectUris: [`${webUrl}/`],
              // Server to server, as in production: Campus One calls the BFF, not the web app.
              backchannelLogoutUri: `${serverUrl}/auth/backchannel-logout`,
            },
            ...(options.clients ?? []),
          ],
        }),
      ],
      // tsx (a server dev dependency) is resolved from here.
      { cwd: SERVER_DIR, env: baseEnv() },
    );
    started.push(campusOne);
    const provider = await waitFor('Campus One to start', async () => firstJsonLine<CampusOneInfo>(campusOne.output()), {
      process: campusOne,
    });

    let gateway: Gateway | null = null;
    let identityEnv: Record<string, string> = {};
    if (options.identityProvider === 'django-sso') {
      const serviceToken = randomBytes(32).toString('base64url');
      const runner = startProcess(
        'django-sso gateway',
        process.execPath,
        ['--import', 'tsx', GATEWAY_RUNNER, JSON.stringify({ host: '127.0.0.1', services: [{ token: serviceToken, baseUrl: webUrl }] })],
        { cwd: SERVER_DIR, env: baseEnv() },
      );
      started.push(runner);
      gateway = await waitFor('the django-sso gateway to start', async () => firstJsonLine<Gateway>(runner.output()), { process: runner });
      identityEnv = { PORTER_IDENTITY_PROVIDER: 'django-sso', DJANGO_SSO_GATEWAY_URL: gateway.url, DJANGO_SSO_SERVICE_TOKEN: serviceToken };
    }

    let server: Running | null = startProcess('server', process.execPath, ['dist/main.js'], {
      cwd: SERVER_DIR,
      env: {
        ...baseEnv(),
        APP_URL: webUrl,
        PORT: String(options.serverPort),
        HOST: '127.0.0.1',
        CAMPUS_ONE_ISSUER: provider.issuer,
        CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
        CAMPUS_ONE_CLIENT_ID: client.clientId,
        CAMPUS_ONE_CLIENT_SECRET: client.clientSecret,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        REDIS_URL: redis.url,
        PORTER_API_ROUTES: `/api/campus=${provider.campusApiUrl}`,
        LOG_LEVEL: 'warn',
        // Any free port: 9464 may be taken by another server on the machine.
        METRICS_PORT: '0',
        ...identityEnv,
        ...options.serverEnv,
      },
    });
    started.push(server);
    await waitFor(`${serverUrl}/readyz`, async () => ((await statusOf(`${serverUrl}/readyz`)) === 200 ? true : undefined), {
      process: server,
    });

    const web = await startWeb({ port: webPort, bffUrl: serverUrl, ...(options.webNodeArgs ? { nodeArgs: options.webNodeArgs } : {}) });
    started.push(web);

    return {
      webUrl,
      serverUrl,
      discoveryUrl: provider.discoveryUrl,
      redisUrl: redis.url,
      pids: { web: web.pid, server: server.pid, redis: redis.pid ?? 0 },
      issuer: provider.issuer,
      gateway,
      account(id) {
        const account = provider.accounts.find((candidate) => candidate.id === id);
        if (!account) throw new TypeError(`"id" must be a seeded Campus One account, got "${id}"`);
        return account;
      },
      async stopServer() {
        await server?.stop();
        server = null;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The first complete line of `output` that is a JSON object (stderr shares the buffer). */
function firstJsonLine<T>(output: string): T | undefined {
  const line = output
    .split('\n')
    .slice(0, -1)
    .find((candidate) => candidate.startsWith('{'));
  return line === undefined ? undefined : (JSON.parse(line) as T);
}
