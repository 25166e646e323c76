import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { ANON_MARKER_COOKIE, ErrorCode, safeReturnTo, type LogoutResponse } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { toAppError } from '../errors.js';
import { requireCsrfHeader } from '../http/csrf.js';
import { logAnswered } from '../http/error-log.js';
import { unredacted } from '../http/request-log.js';
import { noStore } from '../http/headers.js';
import { sendRedirect } from '../http/send-answer.js';
import type { IdentityProvider, ProviderSignIn, SignInAttempt } from '../idp/identity-provider.js';
import { EndSessionHandles } from '../oidc/end-session.js';
import type { TokenRefresher } from '../oidc/token-refresh.js';
import type { AuthEvent, AuthEvents } from '../reports/auth-events.js';
import { cookieOptions } from '../session/cookies.js';
import { deviceLabel } from '../session/device.js';
import type { SessionLifecycle } from '../session/lifecycle.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { meHandler } from './me.js';

const ANON_MARKER_MS = 5 * 60 * 1000;

/** Known from the query on `/auth/login`, from the transaction on the return; read by failSignIn. */
const setAttempt = (res: Response, { silent, returnTo, stepUp = false }: SignInAttempt) => {
  res.locals.signInAttempt = { silent, returnTo, stepUp } satisfies SignInAttempt;
};
const attemptOf = (res: Response): SignInAttempt | null => (res.locals.signInAttempt as SignInAttempt | undefined) ?? null;

export interface AuthRouterDeps {
  config: Config;
  /** Campus One or a django-sso gateway (`idp/identity-provider.ts`). */
  provider: IdentityProvider;
  sessions: SessionLifecycle;
  refresher: TokenRefresher;
  authEvents: AuthEvents;
  /** The per-address limit on sign-in attempts, as middleware (`/auth/login`). */
  signInLimit: RequestHandler;
  /** The same limit as a promise (`RateLimits.signInAllowed`), for the provider's return. */
  signInAllowed: (req: Request, res: Response) => Promise<void>;
  kv: Kv;
  keys: Keys;
  log: Logger;
  now: () => number;
}

/**
 * Sign-in, `/auth/me` and sign-out, whoever the identity provider is. Mounted at the root: it
 * serves `/auth/*` and the provider's return path (`/auth/callback`, `/sso/accept/`).
 */
export function authRouter(deps: AuthRouterDeps): Router {
  const { config, provider, sessions, refresher, authEvents, signInLimit, signInAllowed, kv, keys, log, now } = deps;
  const markerOptions = cookieOptions(config);
  // The sign-in line holds a subject, a role and a flag, never a token: it skips redaction.
  const signInLog = unredacted(log);
  const endSessionHandles = new EndSessionHandles(kv, keys);
  const router = Router();
  router.use(['/auth', provider.callbackPath], noStore);

  /** Read before the limit, so that a refused silent attempt, too, ends on its page (failSignIn). */
  const signInAttempt: RequestHandler = (req, res, next) => {
    const silent = req.query.prompt === 'none';
    setAttempt(res, { silent, returnTo: safeReturnTo(req.query.returnTo ?? req.query.next), stepUp: req.query.step_up === '1' && !silent });
    next();
  };

  router.get('/auth/login', signInAttempt, signInLimit, async (req, res) => {
    const attempt = attemptOf(res) as SignInAttempt;
    const start = await provider.startSignIn(req, res, attempt);
    if (start.kind === 'silent-no-session') return endSilentAttempt(res, attempt.returnTo, { type: 'silent_no_provider_session' });
    sendRedirect(res, start.url);
  });

  router.get(provider.callbackPath, async (req, res) => {
    // The limit decides before the transaction is burnt: a refused return stays usable, and the
    // browser finishes it by coming again after Retry-After (the code lives minutes at the
    // provider). Its attempt is read all the same, so that a refused silent one ends on its page,
    // as at /auth/login (failSignIn).
    const refusal = await signInAllowed(req, res).then(() => null, (err: unknown) => err);
    if (refusal !== null) {
      const attempt = await provider.peekReturn(req).catch(() => null);
      if (attempt) setAttempt(res, attempt);
      throw refusal;
    }
    const step = await provider.takeReturn(req, res);
    if (step.kind === 'silent-no-session') return endSilentAttempt(res, step.returnTo, { type: 'silent_no_provider_session' });
    if (step.attempt) setAttempt(res, step.attempt);
    if (step.kind === 'refused') throw step.error;
    await signIn(req, res, step.attempt, await step.complete());
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
    sendRedirect(res, returnTo);
  };

  /** Begins the session with a fresh id (a step-up keeps the session it steps up) and sends the browser on. */
  const signIn = async (req: Request, res: Response, { silent }: SignInAttempt, { session, returnTo, stepUp }: ProviderSignIn) => {
    const fresh = { ...session, device: deviceLabel(req.get('user-agent')), signInMethod: silent ? 'silent' : 'interactive' } as const;
    // A step-up keeps the person's session (and its id); without one to keep, it is a sign-in.
    const steppedUp = stepUp && (await sessions.stepUp(req, fresh));
    if (!steppedUp) await sessions.begin(req, res, fresh);
    signInLog.info({ sub: session.user.sub, role: session.user.role, silent }, steppedUp ? 'stepped up' : 'signed in');
    if (!steppedUp) await authEvents.record({ type: 'signed_in', role: session.user.role, silent });
    res.clearCookie(ANON_MARKER_COOKIE, markerOptions);
    sendRedirect(res, returnTo);
  };

  /**
   * Counts a failed sign-in for the reports, by code (not a refusal by the rate limit: anyone can
   * send those, and they are counted in the metrics). A silent attempt then ends on the page the
   * visitor opened (the provider away, a token that fails its checks); other failures go to the
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
  router.use(['/auth/login', provider.callbackPath], failSignIn);

  router.get('/auth/me', meHandler({ config, sessions, refresher, now }));

  router.post('/auth/logout', requireCsrfHeader, async (req, res) => {
    let url: string | null = null;
    const user = req.session.user;
    if (user) {
      const tokens = await sessions.tokens(req);
      log.info({ sub: user.sub }, 'signed out');
      await sessions.end(req);
      await authEvents.record({ type: 'signed_out' });
      // Told once the session has ended: the local sign-out comes first, whatever the provider
      // or the store does next.
      const providerUrl = await provider.signOut({ sub: user.sub, idToken: tokens?.idToken || null });
      url = providerUrl ? `/auth/end-session/${await endSessionHandles.keep(providerUrl)}` : null;
    }
    res.clearCookie(config.session.cookieName, cookieOptions(config));
    // Without the marker, the next page view would sign the visitor silently back in while
    // their session at the provider lives (always so when it offers no end-session URL).
    markAnonymous(res);
    const body: LogoutResponse = { ok: true, endSessionUrl: url };
    res.json(body);
  });

  // The second half of sign-out: the browser navigates here, and only this redirect carries the id_token.
  router.get('/auth/end-session/:handle', async (req, res) => {
    const url = await endSessionHandles.take(req.params.handle);
    // Unknown, used or expired: the local sign-out has happened already; home is where it ends.
    sendRedirect(res, url ?? '/');
  });

  return router;
}
