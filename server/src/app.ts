import type { RequestListener } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import { ACADEMIC_API_PREFIX, type Config } from './config.js';
import { createSealer } from './crypto/sealer.js';
import { createForward } from './http/forward.js';
import { errorHandler, notFound, withLoggedFinalErrors } from './http/error-handler.js';
import { securityHeaders } from './http/headers.js';
import { withApiShortcut } from './http/api-shortcut.js';
import { withMeShortcut } from './http/me-shortcut.js';
import { DjangoSso } from './idp/django-sso.js';
import { SsoTransactionCookie } from './idp/django-sso-transaction.js';
import { CampusOneProvider } from './idp/campus-one-provider.js';
import { DjangoSsoProvider } from './idp/django-sso-provider.js';
import type { IdentityProvider } from './idp/identity-provider.js';
import { AcademicDirectoryCache } from './oidc/academic-directory.js';
import { requestLog, type TrustProxy } from './http/request-log.js';
import { AccessTokens } from './oidc/access-token.js';
import type { CampusOne } from './oidc/campus-one.js';
import { LogoutTokens } from './oidc/logout-token.js';
import { TokenRefresher } from './oidc/token-refresh.js';
import { TransactionCookies } from './oidc/transaction.js';
import type { Metrics } from './ops/metrics.js';
import { createRateLimits } from './ops/rate-limits.js';
import { requestMetrics } from './ops/request-metrics.js';
import { AuthEvents } from './reports/auth-events.js';
import { academicRouter } from './routes/academic.js';
import { adminRouter, reportsRouter } from './routes/admin.js';
import { apiProxyRouter } from './routes/api-proxy.js';
import { authRouter } from './routes/auth.js';
import { ssoEventsRouter } from './routes/django-sso.js';
import { backchannelLogoutRouter } from './routes/backchannel-logout.js';
import { healthRouter } from './routes/health.js';
import { ownSessionsRouter } from './routes/own-sessions.js';
import { webhooksRouter } from './routes/webhooks.js';
import { createNewSessions, createSessionStore, sessionMiddleware } from './session/middleware.js';
import { keepLiveSessionCookie } from './session/live-cookie.js';
import { createSessionReader } from './session/reader.js';
import { readOnlySession, signedInSessionOf } from './session/read-only.js';
import { SessionDirectory } from './session/directory.js';
import { createSessionHandles } from './session/handles.js';
import { SessionLifecycle } from './session/lifecycle.js';
import { createKeys } from './store/keys.js';
import type { Kv } from './store/kv.js';
import { createLocks } from './store/lock.js';
import { RedisKv } from './store/redis-kv.js';
import { Deliveries } from './webhooks/deliveries.js';

/** `GET /auth/login` (routes/auth.ts): it writes the transaction cookie and redirects. */
const SIGN_IN_START_PATH = '/auth/login';

export interface AppDeps {
  config: Config;
  kv: Kv;
  campusOne: CampusOne;
  log: Logger;
  /** Filled here; served by `main.ts` on its own listener. */
  metrics: Metrics;
  /** The clock, in ms since epoch; tests move it to reach expiries. */
  now: () => number;
  /** Whether the process has begun to stop (SIGTERM): `/readyz` then answers 503 `draining`; never, when absent. */
  draining?: () => boolean;
}

/**
 * Builds Porter's request listener from its dependencies: the Express app, behind the /auth/me
 * shortcut (`http/me-shortcut.ts`) and the API proxy's (`http/api-shortcut.ts`). It never
 * listens: `main.ts` does.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { config, kv, campusOne, log, metrics, now } = deps;
  const keys = createKeys(config.redis.prefix);
  const store = createSessionStore(config, kv, keys, now);
  const sessionDirectory = new SessionDirectory(config, kv, keys, now);
  const sessions = new SessionLifecycle(config, sessionDirectory, createSealer(config.session.secrets, 'tokens'), createNewSessions(config, store), now);
  const locks = createLocks(kv);
  const refresher = new TokenRefresher({ campusOne, sessions, locks, keys, metrics, log, now });
  const accessTokens = new AccessTokens({ sessions, refresher, now });
  const directory = new AcademicDirectoryCache({ campusOne, config: config.campusOne, kv, keys, locks, log, now });
  const authEvents = new AuthEvents({ kv, keys, directory: sessionDirectory, metrics, log, now });
  metrics.countLiveSessionsWith(async () => Object.values(await sessionDirectory.countByRole()).reduce((total, count) => total + count, 0));
  const deliveries = new Deliveries(kv, keys, config.campusOne.webhookMaxAgeMs);
  const logoutTokens = new LogoutTokens({ campusOne, config: config.campusOne, kv, keys, now });
  const djangoSso = config.djangoSso ? new DjangoSso(config.djangoSso, kv, keys) : null;
  const provider: IdentityProvider = djangoSso
    ? new DjangoSsoProvider({ sso: djangoSso, transactions: new SsoTransactionCookie(config, createSealer(config.session.secrets, 'sso-transaction'), now), log, now })
    : new CampusOneProvider({ config, campusOne, transactions: new TransactionCookies(config, createSealer(config.session.secrets, 'transaction'), kv, keys, now), log, now });

  const limits = createRateLimits({
    config,
    redis: kv instanceof RedisKv ? kv : null,
    metrics,
    log,
    signedInSessionId: (req) => signedInSessionOf(req)?.id ?? null,
  });

  const app = express();
  app.disable('x-powered-by');
  // Every answer is no-store JSON or a redirect: an ETag would only cost a SHA-1 of each body.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  const trustProxy = app.get('trust proxy fn') as TrustProxy;
  app.use(requestLog(log, trustProxy));
  // The steady states of GET /auth/me and of the API proxy's GETs never reach Express: middleware
  // here does not see them (http/me-shortcut.ts, http/api-shortcut.ts).
  app.use(requestMetrics(metrics));
  app.use(securityHeaders);
  app.use(healthRouter({ kv, keys, provider, draining: deps.draining ?? (() => false) }));
  // Campus One calls these, not a browser: no session, and the webhook needs its body untouched.
  app.use('/webhooks', limits.webhooks, webhooksRouter({ config, directory: sessionDirectory, authEvents, deliveries, metrics, log, now }));
  app.use('/auth/backchannel-logout', limits.backchannelLogout);
  app.use('/auth', backchannelLogoutRouter({ logoutTokens, directory: sessionDirectory, authEvents, metrics, log }));
  if (djangoSso) app.use(ssoEventsRouter({ sso: djangoSso, sessions: sessionDirectory, kv, keys, log }));
  const reader = createSessionReader(config, kv, keys);
  app.use(keepLiveSessionCookie({ config, reader, now }));
  const withSession = sessionMiddleware(config, store);
  // The API proxy only reads its session: its routes come before express-session's app-wide
  // middleware (config.ts keeps its prefixes apart from every other route), and read the session
  // through the same reader as /auth/me, with express-session only when something must be written.
  const readOnly = readOnlySession({ config, reader, now, expressSession: withSession });
  const forward = createForward({ timeoutMs: config.api.timeoutMs, appUrl: config.appUrl });
  app.use(apiProxyRouter({ routes: config.api.routes, appUrl: config.appUrl, session: readOnly, limit: limits.api, accessTokens, forward }));
  // The reports only read the session too.
  app.use(reportsRouter({ authEvents, limit: limits.admin, session: readOnly }));
  // A sign-in started or finished without a session cookie (a first visit, the morning's silent
  // sign-ins) has no session to read: express-session's per-request work there (a fresh id,
  // hashing the session, wrapping the response) was a measurable share of a sign-in's CPU, and
  // the provider's return begins its session itself (SessionLifecycle.begin). With a cookie it
  // runs as everywhere.
  const { cookieName } = config.session;
  const withoutSessionCookie = new Set([SIGN_IN_START_PATH, provider.callbackPath]);
  app.use((req, res, next) =>
    withoutSessionCookie.has(req.path) && !req.headers.cookie?.includes(cookieName) ? next() : withSession(req, res, next),
  );
  app.use('/auth/sessions', ownSessionsRouter({ config, directory: sessionDirectory, handles: createSessionHandles(config.session.secrets), log }));
  app.use(authRouter({ config, provider, sessions, refresher, authEvents, signInLimit: limits.signIn, signInAllowed: limits.signInAllowed, kv, keys, log, now }));
  app.use('/api/admin', limits.admin, adminRouter({ config, directory: sessionDirectory, authEvents, log, now }));
  app.use('/api', limits.api);
  app.use(ACADEMIC_API_PREFIX, academicRouter({ directory, accessTokens }));
  app.use(notFound);
  app.use(errorHandler(log));
  const listener = withApiShortcut(withLoggedFinalErrors(app, log), {
    routes: config.api.routes,
    reader,
    idleTimeoutMs: config.session.idleTimeoutMs,
    limits,
    accessToken: (session) => accessTokens.ofSteadySession(session),
    forward,
    metrics,
    log,
    trustProxy,
    now,
  });
  return withMeShortcut(listener, { config, reader, metrics, log, trustProxy, now });
}
