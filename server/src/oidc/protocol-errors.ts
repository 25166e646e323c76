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

/** True when Campus One says the refresh token or the client is no longer good (RFC 6749 §5.2). */
export function isGrantRevoked(err: unknown): boolean {
  return err instanceof oidc.ResponseBodyError && (err.error === 'invalid_grant' || err.error === 'invalid_client');
}
