/**
 * Why a token's `iat` (issued at, RFC 7519 §4.1.6, in seconds since epoch) is unacceptable, or
 * `null` when it is not dated later than now plus the allowed clock difference.
 *
 * openid-client checks only that an id_token's `iat` is a number (OpenID Connect Core §3.1.3.7
 * leaves "too far away from the current time" to the client), and jose checks it only when
 * asked for a maximum age. A token issued in the future is one a clock or a signer got wrong:
 * accepted, it would outlive its stated lifetime.
 *
 * @param iat the claim as the token carries it (a number, or anything else)
 * @param nowMs Porter's clock, in ms since epoch
 * @param toleranceS how far Campus One's clock may run ahead of Porter's, in seconds
 */
export function issuedInFuture(iat: unknown, nowMs: number, toleranceS: number): string | null {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return 'its "iat" is not a number';
  const aheadS = iat - Math.floor(nowMs / 1000);
  return aheadS > toleranceS ? `its "iat" is ${aheadS} s in the future (at most ${toleranceS} s is allowed)` : null;
}
