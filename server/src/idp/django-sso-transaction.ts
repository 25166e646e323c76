import type { CookieOptions, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/sealer.js';
import { TRANSACTION_TTL_MS } from '../oidc/transaction.js';
import { cookieOptions } from '../session/cookies.js';

/** A django-sso sign-in in flight: the gateway's authentication token and where to go after. */
export interface SsoTransaction {
  authenticationToken: string;
  returnTo: string;
  expiresAt: number;
}

export const ACCEPT_PATH = '/sso/accept/';

/**
 * The sign-in in flight lives in one sealed cookie scoped to `/sso/accept/`, so any instance can
 * finish it. The gateway comes back to that fixed path with nothing naming the sign-in, so
 * there is one cookie per browser: when two tabs start signing in, the last one started wins
 * and the other is asked to sign in again.
 */
export class SsoTransactionCookie {
  private readonly name: string;
  private readonly options: CookieOptions;

  constructor(
    config: Config,
    private readonly sealer: Sealer,
    private readonly now: () => number,
  ) {
    this.name = config.session.secureCookies ? '__Secure-porter.sso-txn' : 'porter.sso-txn';
    this.options = cookieOptions(config, ACCEPT_PATH);
  }

  async write(res: Response, txn: Omit<SsoTransaction, 'expiresAt'>): Promise<void> {
    const sealed = await this.sealer.seal({ ...txn, expiresAt: this.now() + TRANSACTION_TTL_MS } satisfies SsoTransaction);
    res.cookie(this.name, sealed, { ...this.options, maxAge: TRANSACTION_TTL_MS });
  }

  /** The sign-in this browser started, unexpired, or `null`; the cookie is cleared either way. */
  take(req: Request, res: Response): Promise<SsoTransaction | null> {
    if (parseCookies(req.headers.cookie ?? '')[this.name] !== undefined) res.clearCookie(this.name, this.options);
    return this.peek(req);
  }

  /** The sign-in this browser started, unexpired, or `null`, its cookie kept (a return the rate limit refused). */
  async peek(req: Request): Promise<SsoTransaction | null> {
    const raw = parseCookies(req.headers.cookie ?? '')[this.name];
    if (raw === undefined) return null;
    const txn = await this.sealer.open<SsoTransaction>(raw);
    return txn && typeof txn.authenticationToken === 'string' && txn.expiresAt > this.now() ? txn : null;
  }
}
