import type { Request, Response } from 'express';
import { ErrorCode, safeReturnTo } from '@porter/shared';
import type { Logger } from 'pino';
import { AppError, toAppError } from '../errors.js';
import { TRANSACTION_TTL_MS } from '../oidc/transaction.js';
import { userFromAccount, type DjangoSso } from './django-sso.js';
import { ACCEPT_PATH, type SsoTransaction, type SsoTransactionCookie } from './django-sso-transaction.js';
import type { IdentityProvider, ProviderSignIn, SignInAttempt, SignInReturn, SignInStart } from './identity-provider.js';

export interface DjangoSsoProviderDeps {
  sso: DjangoSso;
  transactions: SsoTransactionCookie;
  log: Logger;
  now: () => number;
}

const refused = (attempt: SignInAttempt | null, message: string): SignInReturn => ({
  kind: 'refused',
  attempt,
  error: new AppError(400, ErrorCode.InvalidState, message),
});

/**
 * A django-sso gateway as the identity provider (`../shared/django-sso.md`): `sso/obtain/` starts
 * a sign-in, the gateway sends the browser back to `/sso/accept/`, `sso/get/` and
 * `sso/make_used/` finish it, `sso/deauthenticate/` signs out. The protocol has no silent sign-in.
 */
export class DjangoSsoProvider implements IdentityProvider {
  readonly name = 'The sign-in gateway';
  readonly callbackPath = ACCEPT_PATH;

  constructor(private readonly deps: DjangoSsoProviderDeps) {}

  ready(): Promise<boolean> {
    return this.deps.sso.reachable();
  }

  async startSignIn(_req: Request, res: Response, { silent, returnTo }: SignInAttempt): Promise<SignInStart> {
    // A silent attempt fails at once, as when a visitor has no session at the provider, so
    // public pages never bounce to the gateway.
    if (silent) return { kind: 'silent-no-session' };
    const { sso, transactions } = this.deps;
    const authenticationToken = await sso.obtain(returnTo);
    await transactions.write(res, { authenticationToken, returnTo });
    return { kind: 'redirect', url: sso.loginUrl(authenticationToken) };
  }

  /**
   * The kept token is refused if this Porter accepted it before, first, whatever the gateway
   * says (older gateways' `make_used/` leaves it usable).
   */
  async takeReturn(req: Request, res: Response): Promise<SignInReturn> {
    const transaction = await this.deps.transactions.take(req, res);
    if (!transaction) {
      return refused(null, 'This sign-in was started in another browser or tab, has expired, or was already finished. Please sign in again.');
    }
    const attempt = { silent: false, returnTo: transaction.returnTo };
    if (!(await this.deps.sso.markAccepted(transaction.authenticationToken, TRANSACTION_TTL_MS))) {
      return refused(attempt, 'This sign-in was already used. Please sign in again.');
    }
    return { kind: 'complete', attempt, complete: () => this.complete(transaction) };
  }

  async peekReturn(req: Request): Promise<SignInAttempt | null> {
    const transaction = await this.deps.transactions.peek(req);
    return transaction && { silent: false, returnTo: transaction.returnTo };
  }

  async signOut({ sub }: { sub: string; idToken: string | null }): Promise<string | null> {
    // The gateway ends its own sessions and tells its other services; when it is away the
    // local sign-out stands.
    await this.deps.sso.deauthenticate(sub).catch((err: unknown) => {
      const { code, message } = toAppError(err);
      this.deps.log.warn({ sub, code, reason: message }, 'the django-sso gateway could not be told of a sign-out');
    });
    return null;
  }

  /** `sso/get/` must say the token is authenticated, then `sso/make_used/`; the user from the stored account fields. */
  private async complete(transaction: SsoTransaction): Promise<ProviderSignIn> {
    const { sso, log, now } = this.deps;
    const { userIdenty, nextUrl } = await sso.authenticated(transaction.authenticationToken);
    await sso.makeUsed(transaction.authenticationToken);
    const fields = await sso.account(userIdenty);
    if (fields?.is_active === false) throw new AppError(403, ErrorCode.Forbidden, 'This account is not active.');
    if (fields === null) log.warn({ sub: userIdenty }, 'no account fields from the django-sso gateway for this identity: the least role');
    return {
      session: {
        user: userFromAccount(userIdenty, fields, sso.config.roleRules),
        // The gateway gives Porter no token to keep or refresh.
        tokens: { accessToken: '', refreshToken: null, idToken: '' },
        accessTokenExpiresAt: null,
        providerSid: null,
        authTime: now(),
      },
      returnTo: nextUrl === null ? transaction.returnTo : safeReturnTo(nextUrl),
      // The protocol cannot ask the gateway to authenticate the person again: every sign-in begins a session.
      stepUp: false,
    };
  }
}
