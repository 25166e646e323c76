import type { IncomingMessage, RequestListener } from 'node:http';
import type { SessionData } from 'express-session';
import proxyaddr from 'proxy-addr';
import type { Logger } from 'pino';
import type { ApiRoute } from '../config.js';
import type { Metrics } from '../ops/metrics.js';
import type { RateLimits } from '../ops/rate-limits.js';
import { timeRequest } from '../ops/request-metrics.js';
import { pathOf } from '../ops/route-group.js';
import { steadySession } from '../session/read-only.js';
import type { SessionReader } from '../session/reader.js';
import { answerError } from './error-handler.js';
import type { Forward } from './forward.js';
import { setSecurityHeaders } from './headers.js';
import { logRequest, type TrustProxy } from './request-log.js';
import { upstreamUrl } from './upstream-path.js';

/** The configured route `url` lies under, as written (Express matches the same prefix case-insensitively). */
function routeOf(routes: readonly ApiRoute[], url: string): ApiRoute | undefined {
  return routes.find(({ prefix }) => {
    if (!url.startsWith(prefix)) return false;
    const next = url.charCodeAt(prefix.length);
    // The end, `/` or `?`: `/api/campus` does not cover `/api/campusx`.
    return Number.isNaN(next) || next === 0x2f || next === 0x3f;
  });
}

/**
 * The API proxy's steady state answered on node:http, before Express, as `me-shortcut.ts` does
 * for /auth/me: a GET under a configured route (`PORTER_API_ROUTES`), with one signed session
 * cookie naming a session in its steady state (`steadySession`: signed in, not expired, its
 * access token not due), within its rate limit, with a path the upstream may be given and an
 * access token. Express's own per-request work and its middleware chain cost more than this
 * answer's own work (`pnpm bench:api`).
 *
 * The same steps as `routes/api-proxy.ts`, from the same modules: the session read once
 * (`SessionReader`), the per-session limit (`RateLimits.consumeApi`), the path check
 * (`upstreamUrl`), the token (`accessToken`), the request line (`logRequest`), the metrics
 * (`timeRequest`), the security headers, the forwarder, and its 502/504 answered by
 * `answerError`. Everything else goes to Express as it came: other methods (writes and their
 * CSRF rules among them), other URLs, no cookie or several, a bad path. So does every request
 * that is not a plain yes once the store has been asked (no session, a session to refresh or
 * end, a refusal or a failure of the rate limit, a failed read, no token), with the session read
 * handed over, so Express reads the store no second time, and gives the answer it gives today
 * (401, 403, 429, 503...). The session read and the limit's point are asked together; for a
 * session in its steady state the limit's decision is handed over too (no second point).
 */
export function withApiShortcut(
  app: RequestListener,
  deps: {
    routes: readonly ApiRoute[];
    reader: SessionReader;
    idleTimeoutMs: number;
    limits: Pick<RateLimits, 'consumeApi' | 'handOverApi'>;
    /** The access token of a session in its steady state (`AccessTokens.ofSteadySession`); rejects when it has none. */
    accessToken: (session: SessionData) => Promise<string>;
    forward: Forward;
    metrics: Metrics;
    log: Logger;
    trustProxy: TrustProxy;
    now: () => number;
  },
): RequestListener {
  const { routes, reader, idleTimeoutMs, limits, accessToken, forward, metrics, log, trustProxy, now } = deps;
  if (routes.length === 0) return app;
  const logLine = logRequest(log, trustProxy);

  /** Forwards the request, with everything Express's app-wide middleware does for it. */
  const answer = (req: IncomingMessage, res: Parameters<RequestListener>[1], target: string, token: string, startedMs: number) => {
    const ip = proxyaddr(req, trustProxy);
    logLine(req, res, ip, startedMs);
    timeRequest(metrics, res, pathOf(req.url ?? ''), startedMs);
    setSecurityHeaders(res);
    forward(req, res, target, { authorization: `Bearer ${token}` }, ip).catch((err: unknown) => answerError(log, req, res, err));
  };

  return (req, res) => {
    const url = req.url ?? '';
    const route = req.method === 'GET' ? routeOf(routes, url) : undefined;
    if (!route) return void app(req, res);
    const startedMs = performance.now();
    const [id, ...others] = reader.idsFrom(req.headers.cookie);
    if (id === undefined || others.length > 0) return void app(req, res);
    let target: string;
    try {
      target = upstreamUrl(route.upstream, url.slice(route.prefix.length));
    } catch {
      return void app(req, res);
    }
    const read = reader.read(id);
    // Asked in the same tick as the read, so both commands leave in one write (`RedisKv`) and
    // the answer waits for one round trip, not two.
    const decision = limits.consumeApi(id);
    const toExpress = (handedOver: boolean) => {
      reader.handOver(req, id, read);
      if (handedOver) limits.handOverApi(req, decision);
      // Express decides afresh by its own key (this session's, or the address when it is no
      // longer signed in): the rare call whose session is not steady may take two points.
      else decision.catch(() => {});
      app(req, res);
    };
    read.then((stored) => {
      const session = steadySession(stored, now(), idleTimeoutMs);
      if (!session) return toExpress(false);
      decision
        .then(() => accessToken(session))
        .then(
          (token) => answer(req, res, target, token, startedMs),
          () => toExpress(true),
        );
    }, () => toExpress(false));
  };
}
