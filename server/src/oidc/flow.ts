import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import type { StoredTokens } from '../session/data.js';
import type { NewSession } from '../session/lifecycle.js';
import { needsUserinfo, userFromClaims } from './claims.js';
import { issuedInFuture } from './issued-at.js';
import { fromProtocolError } from './protocol-errors.js';
import type { Transaction } from './transaction.js';

/**
 * The OpenID Connect steps, separate from HTTP handling: building the authorization request,
 * and turning Campus One's answers into Porter's session contents.
 */

export interface AuthorizationStart {
  url: URL;
  transaction: Omit<Transaction, 'expiresAt'>;
}

/**
 * A fresh state, nonce and PKCE verifier (S256) for every attempt (RFC 7636, OIDC Core §3.1.2.1).
 * With `stepUpAt` (ms since the epoch, when the step-up was asked) Campus One is asked to
 * authenticate the person again whatever session it holds: `prompt=login` and `max_age=0`, either
 * of which OIDC Core §3.1.2.1 says makes it ask; `max_age` also makes `auth_time` required.
 */
export async function startAuthorization(
  configuration: oidc.Configuration,
  options: { redirectUri: string; scope: string; silent: boolean; returnTo: string; stepUpAt?: number },
): Promise<AuthorizationStart> {
  const { state, nonce, codeVerifier } = attemptSecrets();
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    nonce,
    code_challenge: pkceChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(options.silent ? { prompt: 'none' } : {}),
    ...(options.stepUpAt === undefined ? {} : { prompt: 'login', max_age: '0' }),
  });
  const stepUp = options.stepUpAt === undefined ? {} : { stepUpAt: options.stepUpAt };
  return { url, transaction: { state, nonce, codeVerifier, returnTo: options.returnTo, silent: options.silent, ...stepUp } };
}

/**
 * A sign-in attempt's state, nonce and PKCE code verifier: 32 random bytes each, base64url (43
 * characters), as openid-client's randomState, randomNonce and randomPKCECodeVerifier make them
 * (RFC 7636 §4.1 asks 256 bits for the verifier), drawn in one call to node:crypto rather than
 * one WebCrypto call each.
 */
export function attemptSecrets(): { state: string; nonce: string; codeVerifier: string } {
  const bytes = randomBytes(96);
  const part = (i: number) => bytes.subarray(32 * i, 32 * (i + 1)).toString('base64url');
  return { state: part(0), nonce: part(1), codeVerifier: part(2) };
}

/**
 * The S256 code challenge, BASE64URL(SHA256(verifier)) (RFC 7636 §4.2). Computed here with
 * node:crypto: openid-client's goes through WebCrypto's asynchronous job, which costs several
 * times as much CPU on every sign-in.
 */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/**
 * Exchanges the code (openid-client checks the id_token's signature against the JWKS, iss,
 * aud, exp and nonce; Porter refuses an `iat` more than `clockToleranceS` seconds ahead), then
 * asks userinfo for claims the id_token lacks. After a step-up, openid-client also checks that
 * `auth_time` is present and no earlier than the step-up's request (as `maxAge`, within the clock
 * tolerance; OIDC Core §3.1.3.7 point 13). Throws an {@link AppError}: 400
 * `porter/token_rejected`, 400 `porter/step_up_not_fresh`, or 503 when Campus One does not answer
 * properly.
 */
export async function completeAuthorization(
  configuration: oidc.Configuration,
  callbackUrl: URL,
  transaction: Transaction,
  scope: string,
  now: () => number,
  clockToleranceS: number,
): Promise<Omit<NewSession, 'device' | 'signInMethod'>> {
  try {
    const response = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
      ...(transaction.stepUpAt === undefined ? {} : { maxAge: secondsSince(transaction.stepUpAt, now) }),
    });
    const claims = response.claims();
    if (!claims || !response.id_token) throw new oidc.ClientError('the token response carried no id_token');
    refuseFutureIat(claims, now, clockToleranceS);
    const granted = (response.scope ?? scope).split(' ');
    const userinfo = needsUserinfo(claims, granted)
      ? await oidc.fetchUserInfo(configuration, response.access_token, claims.sub)
      : null;
    const tokens = tokensOf(response, null);
    return {
      user: userFromClaims(claims, userinfo),
      tokens,
      accessTokenExpiresAt: refreshAt(response, tokens, now),
      providerSid: typeof claims.sid === 'string' ? claims.sid : null,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : null,
    };
  } catch (err) {
    throw fromProtocolError(err);
  }
}

/**
 * A refresh token grant (RFC 6749 §6). Errors are openid-client's, for the caller to judge, or
 * an {@link AppError} for a new id_token issued in the future.
 */
export async function refresh(
  configuration: oidc.Configuration,
  current: StoredTokens,
  now: () => number,
  clockToleranceS: number,
): Promise<{ tokens: StoredTokens; accessTokenExpiresAt: number | null }> {
  if (!current.refreshToken) throw new TypeError('"current.refreshToken" must be present to refresh');
  const response = await oidc.refreshTokenGrant(configuration, current.refreshToken);
  const claims = response.claims();
  if (claims) refuseFutureIat(claims, now, clockToleranceS);
  const tokens = tokensOf(response, current);
  return { tokens, accessTokenExpiresAt: refreshAt(response, tokens, now) };
}

/** Campus One's end-session URL (RP-Initiated Logout 1.0 §2), or null when discovery has none. */
export function endSessionUrl(configuration: oidc.Configuration, idToken: string | null, postLogoutRedirectUri: string): string | null {
  if (!configuration.serverMetadata().end_session_endpoint) return null;
  return oidc
    .buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    })
    .href;
}

/** Whole seconds from `since` (ms since the epoch) to now, rounded up: the step-up's `max_age` as the callback checks it. */
function secondsSince(since: number, now: () => number): number {
  return Math.max(0, Math.ceil((now() - since) / 1000));
}

function refuseFutureIat(claims: oidc.IDToken, now: () => number, clockToleranceS: number): void {
  const problem = issuedInFuture(claims.iat, now(), clockToleranceS);
  if (problem) {
    throw new AppError(400, ErrorCode.TokenRejected, 'The sign-in response from Campus One failed its security checks. Please sign in again.', {
      cause: new Error(`id_token refused: ${problem}`),
    });
  }
}

function tokensOf(response: oidc.TokenEndpointResponse, previous: StoredTokens | null): StoredTokens {
  return {
    accessToken: response.access_token,
    // A refresh response may omit what did not change (RFC 6749 §6, OIDC Core §12.2).
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    idToken: response.id_token ?? previous?.idToken ?? '',
  };
}

/**
 * The access token's expiry, or `null` when there is no refresh token to renew it with (no
 * offline_access, silent sign-in): such a session never becomes due, so its reads stay one GET.
 */
function refreshAt(response: oidc.TokenEndpointResponse, tokens: StoredTokens, now: () => number): number | null {
  return tokens.refreshToken && typeof response.expires_in === 'number' ? now() + response.expires_in * 1000 : null;
}
