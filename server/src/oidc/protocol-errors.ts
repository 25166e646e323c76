import * as oidc from 'openid-client';
import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';

const UNREACHABLE_CODES = new Set(['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON']);

function unavailable(cause: unknown): AppError {
  return new AppError(503, ErrorCode.ProviderUnavailable, 'Campus One did not answer properly. Try again shortly.', { cause });
}

/**
 * Turns what openid-client throws into Porter's errors: Campus One away or broken is a 503 (try
 * again), a refused code or a token that fails its checks is a 400 (start again). Provider text
 * goes to the log, never to the client.
 */
export function fromProtocolError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof oidc.ResponseBodyError) {
    if (err.status >= 500) return unavailable(err);
    return new AppError(400, ErrorCode.TokenRejected, 'Campus One refused to complete the sign-in. Please sign in again.', { cause: err });
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    return new AppError(400, ErrorCode.ProviderError, 'Campus One could not sign you in. Please try again.', { cause: err });
  }
  if (err instanceof TypeError && err.message === 'fetch failed') return unavailable(err);
  if (err instanceof oidc.ClientError) {
    if (err.code && UNREACHABLE_CODES.has(err.code)) return unavailable(err);
    if (refusesAuthTime(err)) {
      return new AppError(
        400,
        ErrorCode.StepUpNotFresh,
        'Campus One did not ask you to sign in again, so this cannot go ahead. Please try again, and sign in at Campus One when asked.',
        { cause: err },
      );
    }
    return new AppError(400, ErrorCode.TokenRejected, 'The sign-in response from Campus One failed its security checks. Please sign in again.', { cause: err });
  }
  return unavailable(err);
}

/**
 * True when openid-client refused the id_token's `auth_time`, checked only when a `maxAge` was
 * given (a step-up): older than it allows (`OAUTH_JWT_TIMESTAMP_CHECK_FAILED` on that claim), or
 * missing. oauth4webapi's error, which openid-client keeps as `cause`, names the claim.
 */
function refusesAuthTime(err: oidc.ClientError): boolean {
  const inner: unknown = err.cause;
  if (!(inner instanceof Error)) return false;
  if (err.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
    const details: unknown = inner.cause;
    return typeof details === 'object' && details !== null && 'claim' in details && details.claim === 'auth_time';
  }
  return err.code === 'OAUTH_INVALID_RESPONSE' && inner.message.includes('"auth_time"');
}

/**
 * The OAuth error code of a token endpoint answer (RFC 6749 §5.2): from the JSON body, or from
 * the WWW-Authenticate challenge a 401 carries instead (Campus One's answer to `invalid_client`).
 */
export function oauthErrorOf(err: unknown): string | undefined {
  if (err instanceof oidc.ResponseBodyError) return err.error;
  if (err instanceof oidc.WWWAuthenticateChallengeError) return err.cause.find((challenge) => challenge.parameters.error)?.parameters.error;
  return undefined;
}

/**
 * True when Campus One says the refresh token is no longer good (`invalid_grant`): the user's
 * grant is gone. Not `invalid_client`: that says this server's own credentials are wrong, a
 * configuration error that must not sign everyone out.
 */
export function isGrantRevoked(err: unknown): boolean {
  return oauthErrorOf(err) === 'invalid_grant';
}
