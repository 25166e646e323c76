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
    return new AppError(400, ErrorCode.TokenRejected, 'The sign-in response from Campus One failed its security checks. Please sign in again.', { cause: err });
  }
  return unavailable(err);
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
