import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { ReplyError } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { READ_TIMEOUT_MS, type RedisKv } from '../store/redis-kv.js';
import { ErrorCode } from '@porter/shared';
import type { Config, RateLimitName } from '../config.js';
import { AppError } from '../errors.js';
import type { Metrics } from './metrics.js';

/**
 * One middleware per limited route group; a limit that is `off` lets everything through. And the
 * `api` limit for the API proxy's answers before Express (`http/api-shortcut.ts`): `consumeApi`
 * takes a point of a signed-in session's budget, and when that is not a plain yes, `handOverApi`
 * gives the decision to the `api` middleware, which then answers it (429, or lets the request
 * through when the store failed) without taking a second point.
 */
export type RateLimits = Readonly<Record<RateLimitName, RequestHandler>> & {
  /**
   * The `signIn` limit as a promise, for a route that looks at what a refused request was about
   * before it answers (the provider's return: a silent attempt ends on its page): resolves when
   * the request may go on (also when the store failed: the limit fails open), rejects with the
   * 429 {@link AppError} `porter/rate_limited`, having set `Retry-After` (seconds) on `res`.
   */
  signInAllowed(req: Request, res: Response): Promise<void>;
  /** Resolves when session `sessionId` may make one more API call; rejects with the refusal or the store's failure. */
  consumeApi(sessionId: string): Promise<unknown>;
  /** Makes `decision` (from `consumeApi`) the `api` middleware's decision for `req`. */
  handOverApi(req: IncomingMessage, decision: Promise<unknown>): void;
};

/** Each limit's `route` label in `porter_rate_limited_total`. */
const METRIC_LABEL: Readonly<Record<RateLimitName, string>> = {
  signIn: 'sign_in',
  backchannelLogout: 'backchannel_logout',
  webhooks: 'webhooks',
  admin: 'admin',
  api: 'api',
};

const WINDOW_SECONDS = 60;
const ALLOWED: Promise<unknown> = Promise.resolve();
/** While the store fails, one warning per limit this often, not one per request. */
const WARN_EVERY_MS = 10_000;

/** What a refusal tells the person or program that hit the limit. */
const TOO_MANY: Readonly<Record<RateLimitName, string>> = {
  signIn: 'Too many sign-in attempts from your network',
  backchannelLogout: 'Too many logout requests from this address',
  webhooks: 'Too many webhook deliveries from this address',
  admin: 'Too many admin requests from this address',
  api: 'Too many requests in this session',
};

/**
 * Fixed-window rate limits (rate-limiter-flexible): a window of a minute per client address, as
 * Express's `trust proxy` resolves it (`req.ip`), except `api`, per session (per address when
 * signed out). On Redis the counters are shared by every instance (one key per client and limit,
 * so Redis Cluster works); on the development in-memory store they live in the process.
 *
 * A refusal is 429 `porter/rate_limited` with `Retry-After` in seconds, through the error
 * handler (a sign-in step opened in a browser gets the HTML error page). When the store fails,
 * the limit lets the request through (fails open): the route then answers for itself, a 503 if
 * it needs the store, and a Redis outage does not turn into refusals.
 */
export function createRateLimits(deps: {
  config: Config;
  /** The store, when it is Redis: its client holds the counters, its circuit breaker says when Redis is down. */
  redis: RedisKv | null;
  metrics: Metrics;
  log: Logger;
  /** The id of the request's signed-in session, or `null`: the key of the `api` limit. */
  signedInSessionId: (req: Request) => string | null;
}): RateLimits {
  const { config, redis, metrics, log, signedInSessionId } = deps;
  /** Takes a point for `key`: resolves when allowed, rejects with the refusal or the store's failure. */
  const consumer = (name: RateLimitName): ((key: string) => Promise<unknown>) => {
    const points = config.rateLimits[name];
    if (points === null) return () => ALLOWED;
    const options = { points, duration: WINDOW_SECONDS, keyPrefix: `${config.redis.prefix}rate:${name}` };
    const limiter: RateLimiterAbstract = redis
      ? new RLWrapperTimeouts({
          // Not connected: fail at once (and so open) instead of waiting for the command timeout.
          limiter: new RateLimiterRedis({ ...options, storeClient: redis.client, rejectIfRedisNotReady: true }),
          // As long as the store waits for a read: a request never waits longer on its limit.
          timeoutMs: READ_TIMEOUT_MS,
        })
      : new RateLimiterMemory(options);
    // While the store knows Redis is down, every request goes on at once.
    return (key) => (redis && !redis.reachable ? ALLOWED : limiter.consume(key));
  };
  /** Decisions made before Express (`handOverApi`), for the `api` middleware. */
  const handedOver = new WeakMap<IncomingMessage, Promise<unknown>>();
  /** Judges a decision: resolves when the request may go on, rejects with the 429 to answer. */
  const judge = (name: RateLimitName, consume: (key: string) => Promise<unknown>, keyOf: (req: Request) => string) => {
    let warnedAt = -Infinity;
    return (req: Request, res: Response): Promise<void> =>
      ((name === 'api' ? handedOver.get(req) : undefined) ?? consume(keyOf(req))).then(
        () => undefined,
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) {
            // Timed out or not connected (a script error would be Redis answering): the route's
            // own commands then fail at once instead of waiting again.
            if (redis && !(rejection instanceof ReplyError)) redis.unreachable();
            metrics.storeError('rate_limit');
            if (Date.now() - warnedAt > WARN_EVERY_MS) {
              warnedAt = Date.now();
              log.warn({ err: rejection, limit: METRIC_LABEL[name] }, 'rate limit store unavailable: letting requests through');
            }
            return;
          }
          const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          metrics.rateLimit(METRIC_LABEL[name]);
          res.setHeader('Retry-After', String(seconds));
          throw new AppError(429, ErrorCode.RateLimited, `${TOO_MANY[name]}. Please try again in ${seconds} seconds.`);
        },
      );
  };
  const middleware =
    (allowed: (req: Request, res: Response) => Promise<void>): RequestHandler =>
    (req, res, next) =>
      void allowed(req, res).then(() => next(), next);
  const byAddress = (req: Request) => `ip:${req.ip ?? 'unknown'}`;
  const bySession = (id: string) => `session:${id}`;
  const consumeApi = consumer('api');
  const signInAllowed = judge('signIn', consumer('signIn'), byAddress);
  return Object.freeze({
    signIn: middleware(signInAllowed),
    signInAllowed,
    backchannelLogout: middleware(judge('backchannelLogout', consumer('backchannelLogout'), byAddress)),
    webhooks: middleware(judge('webhooks', consumer('webhooks'), byAddress)),
    admin: middleware(judge('admin', consumer('admin'), byAddress)),
    // After the session middleware: a session's own budget, so a campus NAT does not share one.
    api: middleware(
      judge('api', consumeApi, (req) => {
        const id = signedInSessionId(req);
        return id === null ? byAddress(req) : bySession(id);
      }),
    ),
    consumeApi: (sessionId: string) => consumeApi(bySession(sessionId)),
    handOverApi: (req: IncomingMessage, decision: Promise<unknown>) => void handedOver.set(req, decision),
  });
}
