import { describe, expect, it } from 'vitest';
import { callbackParams, classifyCallback, type CallbackStep } from '../src/oidc/callback.js';
import type { TakenTransaction, Transaction } from '../src/oidc/transaction.js';

const interactive: Transaction = { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/courses', silent: false, expiresAt: 1 };
const silent: Transaction = { ...interactive, returnTo: '/news', silent: true };
const taken = (transaction: Transaction): TakenTransaction => ({ status: 'taken', transaction });
const used = (transaction: Transaction): TakenTransaction => ({ status: 'used', transaction });
const storeDown = new Error('the store is down');
const unmarked = (transaction: Transaction): TakenTransaction => ({ status: 'unmarked', transaction, error: storeDown });
const missing: TakenTransaction = { status: 'missing', transaction: null };

describe('classifyCallback, what the callback does next', () => {
  const cases: Array<[string, string, string | null, TakenTransaction, CallbackStep]> = [
    ['a code for an interactive sign-in', 's', null, taken(interactive), { kind: 'code', transaction: interactive }],
    ['a code for a silent sign-in', 's', null, taken(silent), { kind: 'code', transaction: silent }],
    ['login_required to a silent attempt', 's', 'login_required', taken(silent), { kind: 'silent-no-session', returnTo: '/news', transaction: silent }],
    ['interaction_required to a silent attempt', 's', 'interaction_required', taken(silent), { kind: 'silent-no-session', returnTo: '/news', transaction: silent }],
    ['consent_required to a silent attempt', 's', 'consent_required', taken(silent), { kind: 'silent-no-session', returnTo: '/news', transaction: silent }],
    ['account_selection_required to a silent attempt', 's', 'account_selection_required', taken(silent), { kind: 'silent-no-session', returnTo: '/news', transaction: silent }],
    ['another error to a silent attempt', 's', 'server_error', taken(silent), { kind: 'provider-error', error: 'server_error', transaction: silent }],
    ['login_required to an interactive sign-in', 's', 'login_required', taken(interactive), { kind: 'provider-error', error: 'login_required', transaction: interactive }],
    ['access_denied to an interactive sign-in', 's', 'access_denied', taken(interactive), { kind: 'provider-error', error: 'access_denied', transaction: interactive }],
    ['login_required whose transaction is gone (the web app must stop retrying)', 's', 'login_required', missing, { kind: 'silent-no-session', returnTo: '/', transaction: null }],
    ['login_required without state', '', 'login_required', missing, { kind: 'silent-no-session', returnTo: '/', transaction: null }],
    ['a code whose transaction is gone', 's', null, missing, { kind: 'no-transaction', reason: 'not-found', transaction: null }],
    ['another error whose transaction is gone', 's', 'access_denied', missing, { kind: 'no-transaction', reason: 'not-found', transaction: null }],
    ['a code without state', '', null, missing, { kind: 'no-transaction', reason: 'no-state', transaction: null }],
    ['a replayed code', 's', null, used(interactive), { kind: 'no-transaction', reason: 'used', transaction: interactive }],
    ['a code the store could not mark used', 's', null, unmarked(silent), { kind: 'unmarked', transaction: silent, error: storeDown }],
    ['login_required the store could not mark used', 's', 'login_required', unmarked(silent), { kind: 'unmarked', transaction: silent, error: storeDown }],
    ['a replayed silent answer (the replay is refused before the error counts)', 's', 'login_required', used(silent), { kind: 'no-transaction', reason: 'used', transaction: silent }],
  ];

  it.each(cases)('%s', (_name, state, error, takenTransaction, expected) => {
    expect(classifyCallback({ state, error }, takenTransaction)).toEqual(expected);
  });
});

describe('callbackParams', () => {
  const cases: Array<[string, Record<string, unknown>, { state: string; error: string | null }]> = [
    ['state and error', { state: 'abc', error: 'login_required', code: 'x' }, { state: 'abc', error: 'login_required' }],
    ['neither', { code: 'x' }, { state: '', error: null }],
    ['repeated parameters (arrays) count as absent', { state: ['a', 'b'], error: ['x', 'y'] }, { state: '', error: null }],
  ];

  it.each(cases)('%s', (_name, query, expected) => {
    expect(callbackParams(query)).toEqual(expected);
  });
});
