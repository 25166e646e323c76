import type { Request, Response } from 'express';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { callbackParams, classifyCallback } from '../oidc/callback.js';
import type { CampusOne } from '../oidc/campus-one.js';
import { completeAuthorization, endSessionUrl, startAuthorization } from '../oidc/flow.js';
import type { Transaction, TransactionCookies } from '../oidc/transaction.js';
import type { IdentityProvider, ProviderSignIn, SignInAttempt, SignInReturn, SignInStart } from './identity-provider.js';

const INVALID_STATE_MESSAGES: Record<'no-state' | 'not-found' | 'used', string> = {
  'no-state': 'The sign-in response carries no state. Please sign in again.',
  'not-found': 'This sign-in was started in another browser, has expired, or was already finished. Please sign in again.',
  used: 'This sign-in response was already used. Please sign in again.',
};

export interface CampusOneProviderDeps {
  config: Config;
  campusOne: CampusOne;
  transactions: TransactionCookies;
  log: Logger;
  now: () => number;
}

/**
 * Campus One as the identity provider: OpenID Connect's authorization code flow with PKCE
 * (`oidc/flow.ts`), its transactions in sealed cookies (`oidc/transaction.ts`), silent sign-in
 * with `prompt=none`, step-up with `prompt=login` and `max_age=0`, and RP-Initiated Logout.
 */
export class CampusOneProvider implements IdentityProvider {
  readonly name = 'Campus One';
  readonly callbackPath = '/auth/callback';

  constructor(private readonly deps: CampusOneProviderDeps) {}

  ready(): Promise<boolean> {
    return this.deps.campusOne.configuration().then(
      () => true,
      () => false,
    );
  }

  async startSignIn(req: Request, res: Response, { silent, returnTo, stepUp }: SignInAttempt): Promise<SignInStart> {
    const { config, campusOne, transactions, now } = this.deps;
    const { url, transaction } = await startAuthorization(await campusOne.configuration(), {
      redirectUri: `${config.appUrl}${this.callbackPath}`,
      scope: config.campusOne.scopes,
      silent,
      returnTo,
      // A step-up asks Campus One to authenticate the person again (admin actions); a silent attempt never asks.
      ...(stepUp && !silent ? { stepUpAt: now() } : {}),
    });
    await transactions.write(req, res, transaction);
    return { kind: 'redirect', url: url.href };
  }

  async takeReturn(req: Request, res: Response): Promise<SignInReturn> {
    const params = callbackParams(req.query);
    const step = classifyCallback(params, await this.deps.transactions.take(req, res, params.state));
    switch (step.kind) {
      case 'no-transaction':
        return { kind: 'refused', attempt: step.transaction, error: new AppError(400, ErrorCode.InvalidState, INVALID_STATE_MESSAGES[step.reason]) };
      case 'unmarked':
        return { kind: 'refused', attempt: step.transaction, error: toAppError(step.error) };
      case 'silent-no-session':
        if (step.transaction) this.logProviderError(req, step.transaction);
        return { kind: 'silent-no-session', returnTo: step.returnTo };
      case 'provider-error':
        this.logProviderError(req, step.transaction);
        return { kind: 'refused', attempt: step.transaction, error: new AppError(400, ErrorCode.ProviderError, 'Campus One could not sign you in. Please try again.') };
      case 'code':
        return { kind: 'complete', attempt: step.transaction, complete: () => this.complete(req, step.transaction) };
    }
  }

  async peekReturn(req: Request): Promise<SignInAttempt | null> {
    const params = callbackParams(req.query);
    const transaction = params.state ? await this.deps.transactions.peek(req, params.state) : null;
    const step = classifyCallback(params, transaction ? { status: 'taken', transaction } : { status: 'missing', transaction: null });
    return step.kind === 'silent-no-session' ? { silent: true, returnTo: step.returnTo } : step.transaction;
  }

  async signOut({ idToken }: { sub: string; idToken: string | null }): Promise<string | null> {
    // Sign-out is local when Campus One is away.
    const configuration = await this.deps.campusOne.configuration().catch(() => null);
    return configuration ? endSessionUrl(configuration, idToken, `${this.deps.config.appUrl}/`) : null;
  }

  /** Exchanges the code; throws an `AppError` (`completeAuthorization`). */
  private async complete(req: Request, transaction: Transaction): Promise<ProviderSignIn> {
    const { config, campusOne, now } = this.deps;
    const session = await completeAuthorization(
      await campusOne.configuration(),
      new URL(req.originalUrl, config.appUrl),
      transaction,
      config.campusOne.scopes,
      now,
      config.campusOne.clockToleranceS,
    );
    return { session, returnTo: transaction.returnTo, stepUp: transaction.stepUpAt !== undefined };
  }

  private logProviderError(req: Request, { silent }: Transaction): void {
    this.deps.log[silent ? 'info' : 'warn'](
      { code: ErrorCode.ProviderError, providerError: req.query.error, description: req.query.error_description, silent },
      'Campus One answered with an error',
    );
  }
}
