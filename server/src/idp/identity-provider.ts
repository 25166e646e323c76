import type { Request, Response } from 'express';
import type { AppError } from '../errors.js';
import type { NewSession } from '../session/lifecycle.js';

/**
 * One sign-in attempt: where the visitor goes afterwards, and whether it is silent (the web app
 * asked with `prompt=none`; the visitor did not ask, so a failure ends on their page, anonymous).
 */
export interface SignInAttempt {
  silent: boolean;
  /** A same-origin path, checked (`safeReturnTo`). */
  returnTo: string;
  /**
   * A step-up (`/auth/login?step_up=1`, never silent): the person must authenticate at the
   * provider again, and the session they have is kept (issue 13).
   */
  stepUp?: boolean;
}

/** What a provider gives for a finished sign-in; the route adds the device and sign-in method. */
export interface ProviderSignIn {
  session: Omit<NewSession, 'device' | 'signInMethod'>;
  /** Where the browser goes now (the attempt's `returnTo`, or one the provider sent back, checked). */
  returnTo: string;
  /** True when it finishes a step-up: the session it steps up is kept, with its id, rather than a new one begun. */
  stepUp: boolean;
}

/** Where `/auth/login` goes: to the provider, or nowhere when a silent attempt cannot succeed there. */
export type SignInStart = { kind: 'redirect'; url: string } | { kind: 'silent-no-session' };

/**
 * What the provider's return to {@link IdentityProvider.callbackPath} asks for, once the
 * browser's transaction was taken (and burnt):
 * - `complete`: finish it (`complete()` talks to the provider; it throws an `AppError`);
 * - `silent-no-session`: a silent attempt found no session at the provider: the visitor stays
 *   anonymous on `returnTo`;
 * - `refused`: throw `error`; `attempt` is the transaction's when it is known, so that a silent
 *   one ends on its page.
 */
export type SignInReturn =
  | { kind: 'complete'; attempt: SignInAttempt; complete: () => Promise<ProviderSignIn> }
  | { kind: 'silent-no-session'; returnTo: string }
  | { kind: 'refused'; attempt: SignInAttempt | null; error: AppError };

/**
 * Who signs people in for Porter: Campus One over OpenID Connect (`idp/campus-one-provider.ts`) or a
 * django-sso gateway (`idp/django-sso-provider.ts`). `routes/auth.ts` drives either through this
 * interface (start, the return, sign-out) and does what is common: rate limits, silent attempts,
 * failure counts, the session, the anonymous marker. Each provider's back channel (Campus One's
 * back-channel logout and webhooks, the gateway's `/sso/event/`) is its own router, mounted in `app.ts`.
 */
export interface IdentityProvider {
  /** How the visitor knows the provider, in messages ("Campus One"). */
  readonly name: string;
  /** The fixed path on this app where the provider sends the browser back (`/auth/callback`, `/sso/accept/`). */
  readonly callbackPath: string;
  /** Starts `attempt`: keeps its transaction in this browser and says where to send it. Throws an `AppError`. */
  startSignIn(req: Request, res: Response, attempt: SignInAttempt): Promise<SignInStart>;
  /**
   * Takes and burns this browser's transaction for the return at `callbackPath`, and says what to
   * do. Runs once the sign-in rate limit let the return through (routes/auth.ts).
   */
  takeReturn(req: Request, res: Response): Promise<SignInReturn>;
  /**
   * The attempt this browser's return at `callbackPath` belongs to, read without taking or burning
   * its transaction (a return the rate limit refused can come again after `Retry-After`), or
   * `null` when none is known. Never asks the provider; rejects only with the store's error.
   */
  peekReturn(req: Request): Promise<SignInAttempt | null>;
  /**
   * After the local session ended: tells the provider, or gives the URL where the browser ends
   * its session there (it may carry the id_token, so the route keeps it behind a one-time
   * handle), or `null`. Never throws: the local sign-out stands whatever the provider does.
   */
  signOut(user: { sub: string; idToken: string | null }): Promise<string | null>;
  /** Whether sign-ins can start now, for `/readyz`: the provider answers (within its timeout). Never throws. */
  ready(): Promise<boolean>;
}
