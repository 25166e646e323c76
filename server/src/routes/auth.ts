import { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { ANON_MARKER_COOKIE, ErrorCode, safeReturnTo, type LogoutResponse } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { requireCsrfHeader } from '../http/csrf.js';
import { logAnswered } from '../http/error-log.js';
import { noStore } from '../http/headers.js';
import type { DjangoSso } from '../idp/django-sso.js';
import type { SsoTransactionCookie } from '../idp/django-sso-transaction.js';
import type { CampusOne } from '../oidc/campus-one.js';
import { EndSessionHandles } from '../oidc/end-session.js';
import { completeAuthorization, endSessionUrl, startAuthorization } from '../oidc/flow.js';
import type { TokenRefresher } from '../oidc/token-refresh.js';
import { TRANSACTION_TTL_MS, type TransactionCookies } from '../oidc/transaction.js';
import type { AuthEvents } from '../reports/auth-events.js';
import { cookieOptions } from '../session/cookies.js';
import { deviceLabel } from '../session/device.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { meHandler } from './me.js';

/** Errors a `prompt=none` attempt gets when the visitor has no Campus One session (OIDC Core §3.1.2.6). */
const SILENT_SIGN_IN_ERRORS = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);
const ANON_MARKER_MS = 5 * 60 * 1000;

export interface AuthRouterDeps {
  config: Config;
  campusOne: CampusOne;
  sessions: SessionLifecycle;
  transactions: TransactionCookies;
  refresher: TokenRefresher;
  authEvents: AuthEvents;
  /** The per-address limit on sign-in attempts (`/login` and `/callback`). */
  signInLimit: RequestHandler;
  kv: Kv;
  keys: Keys;
  log: Logger;
  now: () => number;
  /** Set when a django-sso gateway is the identity provider instead of Campus One. */
  djangoSso: { sso: DjangoSso; transactions: SsoTransactionCookie } | null;
}

export function authRouter(deps: AuthRouterDeps): Router {
  const { config, campusOne, sessions, transactions, refresher, authEvents, signInLimit, kv, keys, log, now, djangoSso } = deps;
  const markerOptions = cookieOptions(config);
  const endSessionHandles = new EndSessionHandles(kv, keys);
  const router = Router();
  router.use(noStore);

  /** Read before the limit, so that a refused silent attempt, too, ends on its page (failSignIn). */
  const signInAttempt: RequestHandler = (req, res, next) => {
    Object.assign(res.locals, { silentSignIn: req.query.prompt === 'none', returnTo: safeReturnTo(req.query.returnTo ?? req.query.next) });
    next();
  };

  router.get('/login', signInAttempt, signInLimit, async (req, res) => {
    const { silentSignIn: silent, returnTo } = res.locals as { silentSignIn: boolean; returnTo: string };
    if (djangoSso) {
      // django-sso has no silent sign-in: a silent attempt fails at once, as when a visitor has
      // no session at the provider, so public pages never bounce to the gateway.
      if (silent) {
        await authEvents.record({ type: 'silent_no_provider_session' });
        markAnonymous(res);
        return res.redirect(returnTo);
      }
      const authenticationToken = await djangoSso.sso.obtain(returnTo);
      await djangoSso.transactions.write(res, { authenticationToken, returnTo });
      return res.redirect(djangoSso.sso.loginUrl(authenticationToken));
    }
    const { url, transaction } = await startAuthorization(await campusOne.configuration(), {
      redirectUri: `${config.appUrl}/auth/callback`,
      scope: config.campusOne.scopes,
      silent,
      returnTo,
    });
    await transactions.write(req, res, transaction);
    res.redirect(url.href);
  });

  const markAnonymous = (res: Response) => res.cookie(ANON_MARKER_COOKIE, '1', { ...markerOptions, maxAge: ANON_MARKER_MS });

  /**
   * Counts a failed sign-in for the reports, by code (not a refusal by the rate limit: anyone can
   * send those, and they are counted in the metrics). A silent attempt then ends on the page the
   * visitor opened, marked anonymous: they never asked to sign in, so they get no error page
   * (Campus One away, a token that fails its checks). Other failures go to the error handler.
   */
  const failSignIn: ErrorRequestHandler = async (err, req, res, next) => {
    const error = toAppError(err);
    const reason = error.code;
    const silent = res.locals.silentSignIn === true;
    // A store outage must not replace the failure being counted.
    if (reason !== ErrorCode.RateLimited) await authEvents.record({ type: 'sign_in_failed', reason, silent }).catch(() => {});
    if (!silent || res.headersSent) return next(err);
    logAnswered(log, req, error, 'silent sign-in failed; the visitor stays anonymous');
    markAnonymous(res);
    res.redirect(typeof res.locals.returnTo === 'string' ? res.locals.returnTo : '/');
  };

  router.get('/callback', signInLimit, async (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const error = typeof req.query.error === 'string' ? req.query.error : null;
    const transaction = state ? await transactions.take(req, res, state) : null;
    if (!transaction) {
      // A silent attempt whose transaction is gone (cookies cleared, expired) must still stop
      // the web app from retrying, or a visitor could bounce between here and Campus One.
      if (error && SILENT_SIGN_IN_ERRORS.has(error)) {
        await authEvents.record({ type: 'silent_no_provider_session' });
        markAnonymous(res);
        return res.redirect('/');
      }
      throw new AppError(
        400,
        ErrorCode.InvalidState,
        state
          ? 'This sign-in was started in another browser, has expired, or was already finished. Please sign in again.'
          : 'The sign-in response carries no state. Please sign in again.',
      );
    }
    // For failSignIn, once the attempt is known.
    Object.assign(res.locals, { silentSignIn: transaction.silent, returnTo: transaction.returnTo });
    if (!(await kv.setIfAbsent(keys.usedState(state), '1', TRANSACTION_TTL_MS))) {
      throw new AppError(400, ErrorCode.InvalidState, 'This sign-in response was already used. Please sign in again.');
    }

    if (error) {
      log[transaction.silent ? 'info' : 'warn'](
        { code: ErrorCode.ProviderError, providerError: error, description: req.query.error_description, silent: transaction.silent },
        'Campus One answered with an error',
      );
      // The visitor of a silent attempt never asked to sign in: they see the page they opened.
      if (transaction.silent) {
        await authEvents.record(
          SILENT_SIGN_IN_ERRORS.has(error)
            ? { type: 'silent_no_provider_session' }
            : { type: 'sign_in_failed', reason: ErrorCode.ProviderError, silent: true },
        );
        markAnonymous(res);
        return res.redirect(transaction.returnTo);
      }
      throw new AppError(400, ErrorCode.ProviderError, 'Campus One could not sign you in. Please try again.');
    }

    const session = await completeAuthorization(
      await campusOne.configuration(),
      new URL(req.originalUrl, config.appUrl),
      transaction,
      config.campusOne.scopes,
      now,
      config.campusOne.clockToleranceS,
    );
    await sessions.begin(req, { ...session, device: deviceLabel(req.get('user-agent')), signInMethod: transaction.silent ? 'silent' : 'interactive' });
    log.info({ sub: session.user.sub, role: session.user.role, silent: transaction.silent }, 'signed in');
    await authEvents.record({ type: 'signed_in', role: session.user.role, silent: transaction.silent });
    res.clearCookie(ANON_MARKER_COOKIE, markerOptions);
    res.redirect(transaction.returnTo);
  });
  router.use(['/login', '/callback'], failSignIn);

  router.get('/me', meHandler({ config, sessions, refresher, now }));

  router.post('/logout', requireCsrfHeader, async (req, res) => {
    let url: string | null = null;
    if (req.session.user && djangoSso) {
      const sub = req.session.user.sub;
      log.info({ sub }, 'signed out');
      await sessions.end(req);
      await authEvents.record({ type: 'signed_out' });
      // The gateway ends its own sessions and tells its other services; when it is away the
      // local sign-out stands.
      await djangoSso.sso.deauthenticate(sub).catch((err: unknown) =>
        log.warn({ sub, code: toAppError(err).code, reason: toAppError(err).message }, 'the django-sso gateway could not be told of a sign-out'),
      );
    } else if (req.session.user) {
      const tokens = await sessions.tokens(req);
      // Sign-out is local when Campus One is away: the session must end whatever happens there.
      const configuration = await campusOne.configuration().catch(() => null);
      const providerUrl = configuration ? endSessionUrl(configuration, tokens?.idToken ?? null, `${config.appUrl}/`) : null;
      log.info({ sub: req.session.user.sub }, 'signed out');
      await sessions.end(req);
      await authEvents.record({ type: 'signed_out' });
      // Kept once the session has ended: the local sign-out comes first, whatever the store does next.
      url = providerUrl ? `/auth/end-session/${await endSessionHandles.keep(providerUrl)}` : null;
    }
    res.clearCookie(config.session.cookieName, cookieOptions(config));
    // Without the marker, the next page view would sign the visitor silently back in while
    // their Campus One session lives (always so when Campus One offers no end-session URL).
    markAnonymous(res);
    const body: LogoutResponse = { ok: true, endSessionUrl: url };
    res.json(body);
  });

  // The second half of sign-out: the browser navigates here, and only this redirect carries the id_token.
  router.get('/end-session/:handle', async (req, res) => {
    const url = await endSessionHandles.take(req.params.handle);
    // Unknown, used or expired: the local sign-out has happened already; home is where it ends.
    res.redirect(url ?? '/');
  });

  return router;
}
