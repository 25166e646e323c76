import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { startCampusOne, type CampusOne, type StartCampusOneOptions } from '../../dev/campus-one.js';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { CampusOne as CampusOneHandle } from '../../src/oidc/campus-one.js';
import { Metrics } from '../../src/ops/metrics.js';
import type { Kv } from '../../src/store/kv.js';
import { MemoryKv } from '../../src/store/memory-kv.js';
import { RedisKv } from '../../src/store/redis-kv.js';
import { Browser, type Navigation } from './browser.js';
import { redisUrl } from './env.js';

export const CLIENT = { clientId: 'porter-test', clientSecret: 'porter-test-secret-0123456789' } as const;
export const SESSION_SECRET = 'test-session-secret-0123456789-abcdef';

export interface Instance {
  origin: string;
  config: Config;
  kv: Kv;
  campusOne: CampusOneHandle;
  metrics: Metrics;
  /** The clock this instance reads; tests move it forward to reach expiries. */
  clock: { offsetMs: number };
}

export interface Stack {
  /** The origin the browser sees (the first instance's), as APP_URL. */
  appUrl: string;
  provider: CampusOne;
  instances: Instance[];
  close(): Promise<void>;
}

export interface StackOptions {
  instances?: number;
  env?: Record<string, string>;
  /** Settings for one instance only, by position, over `env`. */
  instanceEnv?: Array<Record<string, string>>;
  provider?: Omit<StartCampusOneOptions, 'clients'>;
  /**
   * APP_URL as a TLS-terminating proxy in front would make it (`https://...`), registered at
   * Campus One; the servers are still reached over plain http at their own origins.
   */
  publicUrl?: string;
  /** `memory`: the in-memory store that development uses without REDIS_URL. */
  store?: 'redis' | 'memory';
  /** A Redis of the test's own (a fault test's process, Sentinel or Cluster) instead of the shared one. */
  redisUrl?: string;
  /** Where the servers log; silent by default. */
  log?: Logger;
  /** False: the client is registered without a back-channel logout URI, as at a provider that has none. */
  backchannelLogout?: boolean;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/**
 * Real Porter servers on free ports, sharing one Redis (under a fresh key prefix) and one local
 * Campus One. The servers listen first so the provider can register their callback URL.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const listeners = Array.from({ length: options.instances ?? 1 }, () => createServer({ keepAlive: true }));
  const origins = await Promise.all(listeners.map(listen));
  const appUrl = options.publicUrl ?? origins[0] ?? '';
  const provider = await startCampusOne({
    ...options.provider,
    clients: [
      {
        ...CLIENT,
        redirectUris: [`${appUrl}/auth/callback`],
        postLogoutRedirectUris: [`${appUrl}/`],
        ...(options.backchannelLogout === false ? {} : { backchannelLogoutUri: `${appUrl}/auth/backchannel-logout` }),
      },
    ],
  });
  const prefix = `test:${randomUUID()}:`;
  const url = options.redisUrl ?? redisUrl();
  const instances: Instance[] = [];
  for (const [index, listener] of listeners.entries()) {
    const clock = { offsetMs: 0 };
    const now = () => Date.now() + clock.offsetMs;
    const config = loadConfig(
      {
        APP_URL: appUrl,
        CAMPUS_ONE_ISSUER: provider.issuer,
        CAMPUS_ONE_DISCOVERY_URL: provider.discoveryUrl,
        CAMPUS_ONE_CLIENT_ID: CLIENT.clientId,
        CAMPUS_ONE_CLIENT_SECRET: CLIENT.clientSecret,
        SESSION_SECRET,
        ...(options.store === 'memory' ? {} : { REDIS_URL: url }),
        REDIS_PREFIX: prefix,
        ...options.env,
        ...options.instanceEnv?.[index],
      },
      () => SESSION_SECRET,
    );
    const metrics = new Metrics({ processMetrics: true });
    const kv =
      options.store === 'memory' ? new MemoryKv() : await RedisKv.connect(url, { onUnavailable: (operation) => metrics.storeError(operation) });
    const log = options.log ?? pino({ level: 'silent' });
    const campusOne = new CampusOneHandle(config.campusOne, log, now);
    listener.on('request', createApp({ config, kv, campusOne, log, metrics, now }));
    instances.push({ origin: origins[index] ?? '', config, kv, campusOne, metrics, clock });
  }
  return {
    appUrl,
    provider,
    instances,
    async close() {
      for (const listener of listeners) {
        listener.closeAllConnections();
        await new Promise((resolve) => listener.close(resolve));
      }
      await Promise.all(instances.map((i) => i.kv.close()));
      // A test may have stopped the provider already, to see Porter cope without it.
      await provider.close().catch(() => {});
    },
  };
}

export type AccountHandle = 'student' | 'staff' | 'admin';

/**
 * Signs in through the whole flow: Porter's /auth/login, Campus One's sign-in page, the
 * account button, and back through /auth/callback. Returns the navigation that ended on the
 * app. When the browser already has a Campus One session, Campus One skips its page (single
 * sign-on) and the account stays the one signed in there.
 */
export async function signIn(
  browser: Browser,
  stack: Pick<Stack, 'appUrl'>,
  account: AccountHandle,
  options: { via?: string; returnTo?: string; signedInAgoS?: number } = {},
) {
  const origin = options.via ?? stack.appUrl;
  const returnTo = options.returnTo ?? '/dashboard';
  const onApp = (url: URL) => url.origin === new URL(stack.appUrl).origin && !url.pathname.startsWith('/auth/');
  const page = await browser.navigate(`${origin}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, { stop: onApp });
  if (onApp(page.url)) return page;
  return chooseAccount(browser, page, account, onApp, options.signedInAgoS);
}

/**
 * On Campus One's sign-in page (where `page` ended), picks the account and follows the
 * redirects until `stop` says so: back at the app, or at the callback before Porter sees it.
 * `signedInAgoS` is the page's "Signed in ... ago" choice (0, 900 or 3600): the `auth_time`.
 */
export async function chooseAccount(browser: Browser, page: Navigation, account: AccountHandle, stop?: (url: URL) => boolean, signedInAgoS = 0) {
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url.pathname)?.[1];
  if (page.response.status !== 200 || !uid) {
    throw new Error(`expected Campus One's sign-in page, got ${page.response.status} at ${page.url.href}`);
  }
  await page.response.text();
  return browser.navigate(new URL(`/interaction/${uid}/login`, page.url), {
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account, ago: String(signedInAgoS) }).toString(),
    },
    ...(stop ? { stop } : {}),
  });
}

export { Browser };

/** A fresh browser, signed in as `account`. */
export async function signedInBrowser(stack: Stack, account: AccountHandle): Promise<Browser> {
  const browser = new Browser();
  await signIn(browser, stack, account);
  return browser;
}

/** The Campus One `sub` of a seeded account. */
export function subOf(stack: Stack, account: AccountHandle): string {
  const sub = stack.provider.accounts.find((a) => a.id === account)?.sub;
  if (!sub) throw new Error(`no seeded account ${account}`);
  return sub;
}
