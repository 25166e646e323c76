import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { ANON_MARKER_COOKIE, ErrorCode, safeReturnTo, type LogoutResponse } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { requireCsrfHeader } from '../http/csrf.js';
import { logAnswered } from '../http/error-log.js';
import { noStore } from '../http/headers.js';
import type { DjangoSso } from '../idp/django-sso.js';
import type { SsoTransactionCookie } from '../idp/django-sso-transaction.js';
import { callbackParams, classifyCallback } from '../oidc/callback.js';
import type { CampusOne } from '../oidc/campus-one.js';
import { EndSessionHandles } from '../oidc/end-session.js';
import { completeAuthorization, endSessionUrl, startAuthorization } from '../oidc/flow.js';
import type { TokenRefresher } from '../oidc/token-refresh.js';
import type { Transaction, TransactionCookies } from '../oidc/transaction.js';
import type { AuthEvent, AuthEvents } from '../reports/auth-events.js';
import { cookieOptions } from '../session/cookies.js';
import { deviceLabel } from '../session/device.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { meHandler } from './me.js';

const ANON_MARKER_MS = 5 * 60 * 1000;

const INVALID_STATE_MESSAGES: Record<'no-state' | 'not-found' | 'used', string> = {
  'no-state': 'The sign-in response carries no state. Please sign in again.',
  'not-found': 'This sign-in was started in another browser, has expired, or was already finished. Please sign in again.',
  used: 'This sign-in response was already used. Please sign in again.',
};

/** What a failed sign-in needs to know of its attempt: a silent one ends on its page. */
type SignInAttempt = Pick<Transaction, 'silent' | 'returnTo'>;
/** Known from the query on `/login`, from the transaction on `/callback`; read by failSignIn. */
const setAttempt = (res: Response, { silent, returnTo }: SignInAttempt) => {
  res.locals.signInAttempt = { silent, returnTo } satisfies SignInAttempt;
};
const attemptOf = (res: Response): SignInAttempt | null => (res.locals.signInAttempt as SignInAttempt | undefined) ?? null;

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
    setAttempt(res, { silent: req.query.prompt === 'none', returnTo: safeReturnTo(req.query.returnTo ?? req.query.next) });
    next();
  };

  router.get('/login', signInAttempt, signInLimit, async (req, res) => {
    const { silent, returnTo } = attemptOf(res) as SignInAttempt;
    if (djangoSso) {
      // django-sso has no silent sign-in: a silent attempt fails at once, as when a visitor has
      // no session at the provider, so public pages never bounce to the gateway.
      if (silent) return endSilentAttempt(res, returnTo, { type: 'silent_no_provider_session' });
      const authenticationToken = await djangoSso.sso.obtain(returnTo);
      await djangoSso.transactions.write(res, { authenticationToken, returnTo });
      return res.redirect(djangoSso.sso.loginUrl(authenticationToken));
    }
    const { url, transaction } = await startAuthorization(await campusOne.configuration(), {
      redirectUri: `${config.appUrl}/auth/callback`,
      scope: config.campusOne.scopes,
      silent,
      returnTo,
      // A step-up asks Campus One to authenticate the person again (admin actions); a silent attempt never asks.
      ...(req.query.step_up === '1' && !silent ? { stepUpAt: now() } : {}),
    });
    await transactions.write(req, res, transaction);
    res.redirect(url.href);
  });

  const markAnonymous = (res: Response) => res.cookie(ANON_MARKER_COOKIE, '1', { ...markerOptions, maxAge: ANON_MARKER_MS });

  /**
   * Ends a silent attempt: the visitor never asked to sign in, so they see the page they opened,
   * marked anonymous so that the web app does not try again at once. `event` is counted unless
   * `null` (a refusal by the rate limit, which the metrics count).
   */
  const endSilentAttempt = async (res: Response, returnTo: string, event: AuthEvent | null) => {
    if (event) await authEvents.record(event);
    markAnonymous(res);
    res.redirect(returnTo);
  };

  /**
   * Counts a failed sign-in for the reports, by code (not a refusal by the rate limit: anyone can
   * send those, and they are counted in the metrics). A silent attempt then ends on the page the
   * visitor opened (Campus One away, a token that fails its checks); other failures go to the
   * error handler.
   */
  const failSignIn: ErrorRequestHandler = async (err, req, res, next) => {
    const error = toAppError(err);
    const attempt = attemptOf(res);
    const event: AuthEvent | null =
      error.code === ErrorCode.RateLimited ? null : { type: 'sign_in_failed', reason: error.code, silent: attempt?.silent === true };
    if (!attempt?.silent || res.headersSent) {
      if (event) await authEvents.record(event);
      return next(err);
    }
    logAnswered(log, req, error, 'silent sign-in failed; the visitor stays anonymous');
    await endSilentAttempt(res, attempt.returnTo, event);
  };

  router.get('/callback', signInLimit, async (req, res) => {
    const params = callbackParams(req.query);
    const taken = await transactions.take(req, res, params.state);
    if (taken.transaction) setAttempt(res, taken.transaction);
    const step = classifyCallback(params, taken);
    switch (step.kind) {
      case 'no-transaction':
        throw new AppError(400, ErrorCode.InvalidState, INVALID_STATE_MESSAGES[step.reason]);
      case 'unmarked':
        throw step.error;
      case 'silent-no-session':
        if (step.transaction) logProviderError(req, step.transaction);
        return endSilentAttempt(res, step.returnTo, { type: 'silent_no_provider_session' });
      case 'provider-error':
        logProviderError(req, step.transaction);
        if (step.transaction.silent) {
          return endSilentAttempt(res, step.transaction.returnTo, { type: 'sign_in_failed', reason: ErrorCode.ProviderError, silent: true });
        }
        throw new AppError(400, ErrorCode.ProviderError, 'Campus One could not sign you in. Please try again.');
      case 'code':
        return signIn(req, res, step.transaction);
    }
  });

  const logProviderError = (req: Request, { silent }: Transaction) =>
    log[silent ? 'info' : 'warn'](
      { code: ErrorCode.ProviderError, providerError: req.query.error, description: req.query.error_description, silent },
      'Campus One answered with an error',
    );

  /** Exchanges the code and begins the session with a fresh id; a step-up keeps the session it steps up. */
  const signIn = async (req: Request, res: Response, transaction: Transaction) => {
    const session = await completeAuthorization(
      await campusOne.configuration(),
      new URL(req.originalUrl, config.appUrl),
      transaction,
      config.campusOne.scopes,
      now,
      config.campusOne.clockToleranceS,
    );
    const fresh = { ...session, device: deviceLabel(req.get('user-agent')), signInMethod: transaction.silent ? 'silent' : 'interactive' } as const;
    // A step-up keeps the person's session (and its id); without one to keep, it is a sign-in.
    const steppedUp = transaction.stepUpAt !== undefined && (await sessions.stepUp(req, fresh));
    if (!steppedUp) await sessions.begin(req, fresh);
    log.info({ sub: session.user.sub, role: session.user.role, silent: transaction.silent }, steppedUp ? 'stepped up' : 'signed in');
    if (!steppedUp) await authEvents.record({ type: 'signed_in', role: session.user.role, silent: transaction.silent });
    res.clearCookie(ANON_MARKER_COOKIE, markerOptions);
    res.redirect(transaction.returnTo);
  };
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
