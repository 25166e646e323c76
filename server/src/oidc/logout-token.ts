import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { ErrorCode } from '@porter/shared';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import type { CampusOne } from './campus-one.js';
import { issuedInFuture } from './issued-at.js';

/** The member of the `events` claim that makes a JWT a logout token (Back-Channel Logout 1.0 §2.4). */
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Logout tokens are sent the moment a session ends; an older `iat` is not a delivery but a replay. */
const MAX_TOKEN_AGE_S = 10 * 60;

/** Whose sessions a valid logout token ends: those of a Campus One session, or all of a user's. */
export type Logout = { sid: string; sub: string | null } | { sid: null; sub: string };

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/**
 * Validates back-channel logout tokens as OpenID Connect Back-Channel Logout 1.0 §2.6 asks:
 * signature against Campus One's JWKS (re-fetched when an unknown key id shows up, so key
 * rotation just works) with the id_token algorithms, `iss`, `aud`, `iat`, `exp`, the logout
 * event, `sid` or `sub`, no `nonce`, and a `jti` never seen before.
 */
export class LogoutTokens {
  private remote: { uri: string; keys: RemoteKeys } | null = null;

  constructor(
    private readonly deps: { campusOne: CampusOne; config: Config['campusOne']; kv: Kv; keys: Keys; now: () => number },
  ) {}

  /** The logout the token asks for. Throws 400 `invalid_logout_token`, or 503 when Campus One's keys cannot be fetched. */
  async verify(token: string): Promise<Logout> {
    const { campusOne, config, kv, keys, now } = this.deps;
    const metadata = (await campusOne.configuration()).serverMetadata();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keysAt(metadata.jwks_uri), {
        issuer: metadata.issuer,
        audience: config.clientId,
        algorithms: config.idTokenAlg ? [config.idTokenAlg] : asymmetric(metadata.id_token_signing_alg_values_supported),
        requiredClaims: ['iat', 'exp', 'jti', 'events'],
        maxTokenAge: MAX_TOKEN_AGE_S,
        clockTolerance: config.clockToleranceS,
        currentDate: new Date(now()),
      }));
    } catch (err) {
      if (keysUnreachable(err)) {
        throw new AppError(503, ErrorCode.ProviderUnavailable, 'Campus One’s signing keys cannot be fetched. Try again shortly.', { cause: err });
      }
      throw invalid(err instanceof errors.JOSEError ? err.message : 'it is not a signed JWT', err);
    }

    // jose refuses a future `iat` only as part of its maximum-age check: say it here, whatever that check becomes.
    const future = issuedInFuture(payload.iat, now(), config.clockToleranceS);
    if (future) throw invalid(future);

    const events = payload['events'];
    if (!isObject(events) || !isObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
      throw invalid(`its "events" claim does not hold "${BACKCHANNEL_LOGOUT_EVENT}"`);
    }
    // A nonce marks an ID token: one must never be accepted as a logout token (§2.4).
    if (payload['nonce'] !== undefined) throw invalid('it carries a "nonce"');
    const sid = nonEmpty(payload['sid']);
    const sub = nonEmpty(payload.sub);
    let logout: Logout;
    if (sid !== null) logout = { sid, sub };
    else if (sub !== null) logout = { sid, sub };
    else throw invalid('it names neither "sid" nor "sub"');
    const jti = nonEmpty(payload.jti);
    if (jti === null) throw invalid('its "jti" is not a string');

    // Remembered until the token expires: past that, `exp` refuses a replay by itself.
    const rememberMs = Math.max(1000, (payload.exp ?? 0) * 1000 + config.clockToleranceS * 1000 - now());
    if (!(await kv.setIfAbsent(keys.logoutTokenJti(jti), '1', rememberMs))) throw invalid('it was used already (same "jti")');
    return logout;
  }

  private keysAt(uri: string | undefined): RemoteKeys {
    if (!uri) throw new AppError(503, ErrorCode.ProviderUnavailable, 'Campus One’s discovery document names no jwks_uri.');
    if (this.remote?.uri !== uri) {
      this.remote = { uri, keys: createRemoteJWKSet(new URL(uri), { timeoutDuration: this.deps.config.timeoutMs }) };
    }
    return this.remote.keys;
  }
}

function invalid(reason: string, cause?: unknown): AppError {
  return new AppError(400, ErrorCode.InvalidLogoutToken, `The logout token was refused: ${reason}.`, { cause });
}

/** The advertised id_token algorithms, never `none` nor a shared-secret one (logout tokens are checked against the JWKS). */
function asymmetric(advertised: readonly string[] | undefined): string[] {
  const usable = (advertised ?? []).filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
  // OpenID Connect Discovery 1.0 §3: RS256 is the default when nothing is advertised.
  return usable.length > 0 ? usable : ['RS256'];
}

/** Timeouts, network failures and unusable JWKS answers, as opposed to a bad token. */
function keysUnreachable(err: unknown): boolean {
  return (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    (err instanceof TypeError && err.message === 'fetch failed') ||
    (err instanceof errors.JOSEError && err.code === errors.JOSEError.code)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
