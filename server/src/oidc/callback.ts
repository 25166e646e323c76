import type { TakenTransaction, Transaction } from './transaction.js';

/** Errors a `prompt=none` attempt gets when the visitor has no Campus One session (OIDC Core §3.1.2.6). */
const SILENT_SIGN_IN_ERRORS = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);

/** The parts of an authorization response (OIDC Core §3.1.2.5, §3.1.2.6) that decide what the callback does. */
export interface CallbackParams {
  /** `state`, or `''` when absent. */
  state: string;
  /** `error`, or `null` when absent. */
  error: string | null;
}

/**
 * What the callback does next:
 * - `code`: exchange the code (the response carries no error);
 * - `silent-no-session`: a `prompt=none` attempt found no Campus One session; the visitor stays
 *   anonymous on `returnTo` (`/` when the transaction is gone: the web app must still stop retrying);
 * - `provider-error`: Campus One answered another error, or a silent-attempt error to an interactive one;
 * - `no-transaction`: nothing this browser can finish (`no-state`, `not-found`: another
 *   browser, expired, tampered; `used`: a replay, whose transaction is known so a silent one ends quietly);
 * - `unmarked`: the store could not burn the transaction (`error`, the store's): it is not finished.
 */
export type CallbackStep =
  | { kind: 'code'; transaction: Transaction }
  | { kind: 'silent-no-session'; returnTo: string; transaction: Transaction | null }
  | { kind: 'provider-error'; error: string; transaction: Transaction }
  | { kind: 'no-transaction'; reason: 'no-state' | 'not-found' | 'used'; transaction: Transaction | null }
  | { kind: 'unmarked'; transaction: Transaction; error: unknown };

/** Reads the callback's query: only single string values count. */
export function callbackParams(query: Record<string, unknown>): CallbackParams {
  return {
    state: typeof query.state === 'string' ? query.state : '',
    error: typeof query.error === 'string' ? query.error : null,
  };
}

/** Classifies an authorization response once its transaction was taken ({@link TakenTransaction}). Pure. */
export function classifyCallback({ state, error }: CallbackParams, taken: TakenTransaction): CallbackStep {
  const silentNoSession = error !== null && SILENT_SIGN_IN_ERRORS.has(error);
  if (taken.status === 'missing') {
    if (silentNoSession) return { kind: 'silent-no-session', returnTo: '/', transaction: null };
    return { kind: 'no-transaction', reason: state ? 'not-found' : 'no-state', transaction: null };
  }
  const { transaction } = taken;
  if (taken.status === 'used') return { kind: 'no-transaction', reason: 'used', transaction };
  if (taken.status === 'unmarked') return { kind: 'unmarked', transaction, error: taken.error };
  if (error === null) return { kind: 'code', transaction };
  if (silentNoSession && transaction.silent) return { kind: 'silent-no-session', returnTo: transaction.returnTo, transaction };
  return { kind: 'provider-error', error, transaction };
}
