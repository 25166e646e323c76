import type { CookieOptions, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Config } from '../config.js';
import { cookieOptions } from '../session/cookies.js';
import type { Sealer } from '../crypto/sealer.js';

/** A login in flight: what the callback needs to finish it (OpenID Connect Core §3.1.2.1). */
export interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  silent: boolean;
  expiresAt: number;
}

export const TRANSACTION_TTL_MS = 10 * 60 * 1000;
const CALLBACK_PATH = '/auth/callback';

/**
 * Transactions live in sealed cookies, one per login, named after the login's `state` and
 * scoped to the callback: any server instance can finish a login that another started, several
 * tabs can sign in at once, a login started in another browser finds no cookie, and a login
 * writes nothing to Redis until its callback. The callback marks the state used in Redis
 * (see `Keys.usedState`), which makes each transaction single-use.
 */
export class TransactionCookies {
  private readonly prefix: string;
  private readonly options: CookieOptions;

  constructor(
    config: Config,
    private readonly sealer: Sealer,
    private readonly now: () => number,
  ) {
    this.prefix = config.session.secureCookies ? '__Secure-porter.txn.' : 'porter.txn.';
    this.options = cookieOptions(config, CALLBACK_PATH);
  }

  async write(res: Response, txn: Omit<Transaction, 'expiresAt'>): Promise<void> {
    const expiresAt = this.now() + TRANSACTION_TTL_MS;
    const sealed = await this.sealer.seal({ ...txn, expiresAt } satisfies Transaction);
    res.cookie(this.prefix + txn.state, sealed, { ...this.options, maxAge: TRANSACTION_TTL_MS });
  }

  /** The transaction for `state`, if this browser started it and it has not expired; the cookie is cleared either way. */
  async take(req: Request, res: Response, state: string): Promise<Transaction | null> {
    const name = this.prefix + state;
    const raw = parseCookies(req.headers.cookie ?? '')[name];
    if (raw === undefined) return null;
    res.clearCookie(name, this.options);
    const txn = await this.sealer.open<Transaction>(raw);
    if (!txn || txn.state !== state || txn.expiresAt <= this.now()) return null;
    return txn;
  }
}
