import type { SessionData } from 'express-session';
import type { SignInMethod, User } from '@porter/shared';

/** What a signed-in session keeps in the store. Tokens are sealed: the store never holds them in clear. */
declare module 'express-session' {
  interface SessionData {
    user: User;
    /** {@link StoredTokens}, sealed with the `tokens` sealer. */
    tokens: string;
    /**
     * When the access token expires (ms since epoch), readable without unsealing the tokens;
     * `null` when it is never refreshed: it does not expire, or there is no refresh token.
     */
    accessTokenExpiresAt: number | null;
    /** After a failed refresh, the next is not tried before this time (ms since epoch). */
    refreshRetryAt?: number;
    /** How many times a refresh replaced the tokens; absent means none. See `mergeSessionWrite`. */
    tokensRevision?: number;
    /** Campus One's session id (`sid` claim), for back-channel logout. */
    providerSid: string | null;
    createdAt: number;
    /** The idle expiry counts from here; moved at most once per touch interval. */
    lastTouchedAt: number;
    absoluteExpiresAt: number;
    /** How many times Porter changed `user` after sign-in (webhooks); absent means none. */
    userRevision?: number;
    /** Browser and OS the session was signed in from (`session/device.ts`); absent in older sessions. */
    device?: string;
    /** Absent in older sessions. */
    signInMethod?: SignInMethod;
    /**
     * When the person last authenticated at the identity provider (the id_token's `auth_time`,
     * OpenID Connect Core §2), in ms since epoch; `null` when the provider did not say.
     */
    authTime?: number | null;
    /** Set by the store on the first write; see `mergeSessionWrite`. */
    persisted?: true;
  }
}

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string;
}

export interface SessionTimes {
  /** When the session ends if the visitor stays idle, never after the absolute expiry. */
  expiresAt: number;
  absoluteExpiresAt: number;
}

export function sessionTimes(
  data: { lastTouchedAt: number; absoluteExpiresAt: number },
  idleTimeoutMs: number,
): SessionTimes {
  return {
    expiresAt: Math.min(data.lastTouchedAt + idleTimeoutMs, data.absoluteExpiresAt),
    absoluteExpiresAt: data.absoluteExpiresAt,
  };
}

/** The session's data when it belongs to a signed-in user, or `null`. */
export function signedIn(session: Partial<SessionData>): SessionData | null {
  return session.user && session.lastTouchedAt !== undefined && session.absoluteExpiresAt !== undefined
    ? (session as SessionData)
    : null;
}
