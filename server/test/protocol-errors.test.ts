import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { fromProtocolError } from '../src/oidc/protocol-errors.js';

const bodyError = (status: number, error: string) =>
  new oidc.ResponseBodyError('server responded with an error in the response body', { cause: { error }, response: new Response(null, { status }) });
const clientError = (code: string | undefined, cause?: unknown) => new oidc.ClientError('check failed', { ...(code ? { code } : {}), cause });
/** What oauth4webapi throws for an id_token timestamp claim out of bounds, as openid-client wraps it. */
const timestampFailure = (claim: string) => clientError('OAUTH_JWT_TIMESTAMP_CHECK_FAILED', new Error('unexpected JWT claim value', { cause: { claim } }));

describe('fromProtocolError, what a sign-in failure at Campus One becomes', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['the token endpoint refusing the code (invalid_grant)', bodyError(400, 'invalid_grant'), 400, 'porter/token_rejected'],
    ['the token endpoint refusing the client (401)', bodyError(401, 'invalid_client'), 400, 'porter/token_rejected'],
    ['the token endpoint failing (500)', bodyError(500, 'server_error'), 503, 'porter/provider_unavailable'],
    ['the token endpoint unavailable (503)', bodyError(503, 'temporarily_unavailable'), 503, 'porter/provider_unavailable'],
    ['an error in the authorization response', new oidc.AuthorizationResponseError('authorization response error', { cause: new URLSearchParams({ error: 'access_denied' }) }), 400, 'porter/provider_error'],
    ['Campus One unreachable (fetch failed)', new TypeError('fetch failed'), 503, 'porter/provider_unavailable'],
    ['another TypeError (a bug, not the network)', new TypeError('x is not a function'), 503, 'porter/provider_unavailable'],
    ['a timeout', clientError('OAUTH_TIMEOUT'), 503, 'porter/provider_unavailable'],
    ['an aborted request', clientError('OAUTH_ABORT'), 503, 'porter/provider_unavailable'],
    ['an answer that is not JSON', clientError('OAUTH_RESPONSE_IS_NOT_JSON'), 503, 'porter/provider_unavailable'],
    ['an answer that does not conform', clientError('OAUTH_RESPONSE_IS_NOT_CONFORM'), 503, 'porter/provider_unavailable'],
    ['an id_token that fails a check (bad signature)', clientError('OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED'), 400, 'porter/token_rejected'],
    ['a check failure without a code', clientError(undefined), 400, 'porter/token_rejected'],
    ['an id_token expired (exp out of bounds)', timestampFailure('exp'), 400, 'porter/token_rejected'],
    ['a step-up whose auth_time is too old', timestampFailure('auth_time'), 400, 'porter/step_up_not_fresh'],
    ['a step-up whose id_token has no auth_time', clientError('OAUTH_INVALID_RESPONSE', new Error('JWT "auth_time" (authentication time) claim missing')), 400, 'porter/step_up_not_fresh'],
    ['another invalid response', clientError('OAUTH_INVALID_RESPONSE', new Error('"response" body "access_token" property must be a string')), 400, 'porter/token_rejected'],
    ['anything else thrown', new Error('surprise'), 503, 'porter/provider_unavailable'],
  ];

  it.each(cases)('%s', (_name, err, status, code) => {
    const error = fromProtocolError(err);
    expect({ status: error.status, code: error.code }).toEqual({ status, code });
    // The provider's text stays in the log: the client's message is Porter's own.
    expect(error.cause).toBe(err);
  });

  it('passes Porter’s own errors through unchanged', () => {
    const own = new AppError(400, 'porter/token_rejected', 'iat in the future');
    expect(fromProtocolError(own)).toBe(own);
  });
});
