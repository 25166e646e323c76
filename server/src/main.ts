import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@porter/shared';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createGracefulServer } from './http/graceful.js';
import { serverTimeouts } from './http/server-timeouts.js';
import { createLogger } from './log.js';
import { CampusOne } from './oidc/campus-one.js';
import { Metrics } from './ops/metrics.js';
import { startMetricsServer } from './ops/metrics-server.js';
import { createKeys } from './store/keys.js';
import type { Kv } from './store/kv.js';
import { MemoryKv } from './store/memory-kv.js';
import { RedisKv, redactUrl } from './store/redis-kv.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const STORE_CHECK_RETRY_MS = 1000;
/** How long start-up waits for a first connection to Redis before listening anyway, in ms. */
const STORE_WAIT_AT_START_MS = 3000;

const config = readConfig();
const log = createLogger(config.logLevel);

if (config.campusOne.insecureHttp) {
  log.warn('CAMPUS_ONE issuer or discovery URL is http://: acceptable for a local Campus One only, NEVER in production');
}
if (config.session.secretGenerated) {
  log.warn('SESSION_SECRET is not set: using a random one, so sessions end when the server restarts');
}

const metrics = new Metrics({ processMetrics: true });

let kv: Kv;
if (config.redis.url) {
  const redis = redactUrl(config.redis.url);
  // The server starts whether or not Redis answers: until it does, routes answer 503 and /readyz says so.
  const redisKv = RedisKv.open(config.redis.url, {
    onAvailabilityChange: (down) =>
      down
        ? log.error({ code: ErrorCode.StoreUnavailable, redis }, 'Redis is unreachable: answering 503 at once until it is back')
        : log.info({ redis }, 'Redis answers again'),
    onUnavailable: (operation) => metrics.storeError(operation),
  });
  kv = redisKv;
  // A new instance in a rolling restart must not answer 503 while its connection warms up.
  if (!(await redisKv.connected(STORE_WAIT_AT_START_MS))) {
    log.warn({ code: ErrorCode.StoreUnavailable, redis }, `Redis is not reachable yet; listening anyway after ${STORE_WAIT_AT_START_MS} ms`);
  }
  void checkStoreUntilItWorks(kv, redis);
} else {
  kv = new MemoryKv();
  log.warn('REDIS_URL is not set: sessions live in this process only (development)');
}

/**
 * A real write, read and delete at start-up, as /readyz does: a Redis that accepts connections
 * but cannot store (read-only replica, out of memory, wrong password) is reported now, not at
 * the first sign-in. Never exits: it warns and tries again until the store works.
 */
async function checkStoreUntilItWorks(store: Kv, redis: string): Promise<void> {
  const key = createKeys(config.redis.prefix).health(randomUUID());
  for (let attempt = 1; ; attempt++) {
    try {
      await store.check(key);
      log.info({ redis, attempt }, 'Redis checked: write, read and delete work');
      return;
    } catch (err) {
      log.warn({ code: ErrorCode.StoreUnavailable, redis, attempt, err }, 'Redis does not work yet; trying again in 1 s');
      await new Promise((resolve) => setTimeout(resolve, STORE_CHECK_RETRY_MS));
    }
  }
}

const campusOne = new CampusOne(config.campusOne, log, Date.now);
// Discover now so the first visitor does not wait; a failure is logged and retried on demand.
campusOne.configuration().catch(() => {});

const metricsServer = config.metrics
  ? await startMetricsServer(metrics, config.metrics, log).catch((err: unknown) => {
      log.fatal({ err }, `cannot serve /metrics on ${config.metrics?.host}:${config.metrics?.port}: set METRICS_HOST and METRICS_PORT, or METRICS_PORT=off`);
      process.exit(1);
    })
  : null;
let stopping = false;
const app = createApp({ config, kv, campusOne, log, metrics, now: Date.now, draining: () => stopping });
const { server, stop } = createGracefulServer(app, serverTimeouts(config));
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  log.info({ url: `http://${config.host}:${port}`, appUrl: config.appUrl }, 'Porter server listening');
});

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  if (config.shutdownDelayMs > 0) {
    log.info({ signal, shutdownDelayMs: config.shutdownDelayMs }, 'draining: /readyz answers 503 while still serving, before the server stops listening');
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
  }
  log.info({ signal }, 'shutting down: answering what is in flight with Connection: close');
  if ((await stop(config.shutdownTimeoutMs)) === 'forced') {
    log.warn({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'requests still in flight at SHUTDOWN_TIMEOUT_MS were cut');
  }
  // Scraped until the last request is done, so its numbers are not lost.
  metricsServer?.close();
  await kv.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
