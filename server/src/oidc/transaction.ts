import type { CookieOptions, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Config } from '../config.js';
import { cookieOptions } from '../session/cookies.js';
import type { Sealer } from '../crypto/sealer.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** A login in flight: what the callback needs to finish it (OpenID Connect Core §3.1.2.1). */
export interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  silent: boolean;
  /**
   * Set for a step-up (`/auth/login?step_up=1`): when it was asked, in ms since the epoch. The
   * callback refuses an `auth_time` earlier than this and keeps the session's id (OIDC Core §3.1.2.1).
   */
  stepUpAt?: number;
  expiresAt: number;
}

/**
 * What {@link TransactionCookies.take} found for a callback's `state`: the transaction, now
 * burnt (`taken`); one whose state was burnt before (`used`: a replay, even with the cookie
 * copied); one the store could not mark (`unmarked`, with the store's error: known, so that a
 * silent attempt still ends on its page); or none this browser started and can still finish
 * (`missing`: no state, no cookie, tampered, expired).
 */
export type TakenTransaction =
  | { status: 'taken'; transaction: Transaction }
  | { status: 'used'; transaction: Transaction }
  | { status: 'unmarked'; transaction: Transaction; error: unknown }
  | { status: 'missing'; transaction: null };

/** What the cookie holds: `returnTo` is `null` when it was too long for it and waits in the store. */
type SealedTransaction = Omit<Transaction, 'returnTo'> & { returnTo: string | null };

export const TRANSACTION_TTL_MS = 10 * 60 * 1000;
/**
 * Sign-ins one browser may have in flight at once (several tabs, a few restored ones). Starting
 * another drops the oldest: an unbounded pile of cookies would outgrow the request header limits
 * (Node's 16 KB, nginx's 8 KB buffer) and lock the browser out with 431.
 */
export const MAX_PENDING_TRANSACTIONS = 5;
/**
 * The longest `returnTo` (in characters) kept in the cookie; a longer one waits in the store
 * under the login's state. So a pending sign-in's cookie stays under about 1 KB and
 * {@link MAX_PENDING_TRANSACTIONS} of them under about 5 KB.
 */
export const RETURN_TO_IN_COOKIE_MAX = 256;
/** Pending cookies opened to find the oldest; any beyond (never Porter's doing) are dropped unread. */
const MAX_INSPECTED = 2 * MAX_PENDING_TRANSACTIONS;
/** `/auth/login` must see the pending ones to bound them, `/auth/callback` to finish one. */
const TRANSACTION_PATH = '/auth';

/**
 * Transactions live in sealed cookies, one per login, named after the login's `state` and
 * scoped to `/auth`: any server instance can finish a login that another started, several tabs
 * can sign in at once (at most {@link MAX_PENDING_TRANSACTIONS}), and a login started in another
 * browser finds no cookie. A login writes to Redis only a `returnTo` too long for its cookie.
 * Taking a transaction marks its state used in Redis (see `Keys.usedState`), which makes each
 * transaction single-use even when its cookie is copied.
 */
export class TransactionCookies {
  private readonly prefix: string;
  private readonly options: CookieOptions;

  constructor(
    config: Config,
    private readonly sealer: Sealer,
    private readonly kv: Kv,
    private readonly keys: Keys,
    private readonly now: () => number,
  ) {
    this.prefix = config.session.secureCookies ? '__Secure-porter.txn.' : 'porter.txn.';
    this.options = cookieOptions(config, TRANSACTION_PATH);
  }

  /** Starts a transaction, first dropping the oldest pending ones of this browser beyond the bound. */
  async write(req: Request, res: Response, txn: Omit<Transaction, 'expiresAt'>): Promise<void> {
    await this.dropOldest(req, res);
    const expiresAt = this.now() + TRANSACTION_TTL_MS;
    const inStore = txn.returnTo.length > RETURN_TO_IN_COOKIE_MAX;
    if (inStore) await this.kv.set(this.keys.transactionReturnTo(txn.state), txn.returnTo, TRANSACTION_TTL_MS);
    const sealed = await this.sealer.seal({ ...txn, returnTo: inStore ? null : txn.returnTo, expiresAt } satisfies SealedTransaction);
    res.cookie(this.prefix + txn.state, sealed, { ...this.options, maxAge: TRANSACTION_TTL_MS });
  }

  /**
   * Takes and burns the transaction for `state` (the callback's): found when this browser
   * started it and it has not expired, then marked used in the store (SET NX, kept as long as a
   * transaction lives) so it is finished once. The cookie is cleared whenever there is one.
   * Throws `StoreUnavailableError` when a long `returnTo` cannot be read from the store.
   */
  async take(req: Request, res: Response, state: string): Promise<TakenTransaction> {
    const transaction = state ? await this.open(req, state, res) : null;
    if (!transaction) return { status: 'missing', transaction: null };
    try {
      const fresh = await this.kv.setIfAbsent(this.keys.usedState(state), '1', TRANSACTION_TTL_MS);
      return { status: fresh ? 'taken' : 'used', transaction };
    } catch (error) {
      return { status: 'unmarked', transaction, error };
    }
  }

  /**
   * The transaction for `state`, if this browser started it and it has not expired, left as it is
   * (not marked used, its cookie kept): what a return the rate limit refused was about. Throws
   * `StoreUnavailableError` when a long `returnTo` cannot be read from the store.
   */
  peek(req: Request, state: string): Promise<Transaction | null> {
    return this.open(req, state, null);
  }

  /**
   * The transaction for `state`, if this browser started it and it has not expired. With
   * `consumedOn`, it is used up: the cookie is cleared on that response either way, and a long
   * `returnTo` leaves the store.
   */
  private async open(req: Request, state: string, consumedOn: Response | null): Promise<Transaction | null> {
    const name = this.prefix + state;
    const raw = parseCookies(req.headers.cookie ?? '')[name];
    if (raw === undefined) return null;
    consumedOn?.clearCookie(name, this.options);
    const txn = await this.sealer.open<SealedTransaction>(raw);
    if (!txn || txn.state !== state || txn.expiresAt <= this.now()) return null;
    if (txn.returnTo !== null) return { ...txn, returnTo: txn.returnTo };
    const key = this.keys.transactionReturnTo(state);
    const returnTo = await this.kv.get(key);
    if (consumedOn) await this.kv.del(key);
    return { ...txn, returnTo: returnTo ?? '/' };
  }

  /** Leaves at most MAX_PENDING_TRANSACTIONS - 1 pending, the newest, so the one starting fits. */
  private async dropOldest(req: Request, res: Response): Promise<void> {
    const pending = Object.entries(parseCookies(req.headers.cookie ?? '')).filter(([name]) => name.startsWith(this.prefix));
    if (pending.length < MAX_PENDING_TRANSACTIONS) return;
    const inspected = await Promise.all(
      pending.slice(0, MAX_INSPECTED).map(async ([name, value]) => ({ name, expiresAt: (await this.sealer.open<SealedTransaction>(value ?? ''))?.expiresAt ?? 0 })),
    );
    const keep = new Set(
      inspected
        .sort((a, b) => b.expiresAt - a.expiresAt)
        .slice(0, MAX_PENDING_TRANSACTIONS - 1)
        .map(({ name }) => name),
    );
    for (const [name] of pending) if (!keep.has(name)) res.clearCookie(name, this.options);
  }
}
