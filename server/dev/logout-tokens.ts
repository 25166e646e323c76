// Signs back-channel logout tokens as Campus One does, for the server's tests and benchmarks.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { CampusOne } from './campus-one.js';

/** The `events` member every logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenOptions {
  /** The client the token is for (`aud`). */
  audience: string;
  /** Claims to add (`sid`, `sub`...) or, with `undefined`, to leave out. */
  claims?: Record<string, unknown>;
  issuer?: string;
  expiresIn?: string | number;
  /** Seconds since epoch. */
  issuedAt?: number;
}

/** A logout token signed with the provider's current key, as Campus One would send it. */
export function signLogoutToken(provider: Pick<CampusOne, 'issuer' | 'signingKey'>, options: LogoutTokenOptions): Promise<string> {
  const { alg, kid, privateKey } = provider.signingKey;
  const claims = Object.fromEntries(
    Object.entries({ events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, jti: randomUUID(), ...options.claims }).filter(([, v]) => v !== undefined),
  );
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'logout+jwt' })
    .setIssuer(options.issuer ?? provider.issuer)
    .setAudience(options.audience)
    .setIssuedAt(options.issuedAt ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(options.expiresIn ?? '2m')
    .sign(privateKey);
}
