import type { ErrorBody } from './errors.js';
import type { User } from './user.js';

/** `GET /auth/me`, 200. Times are ISO 8601 strings. */
export interface MeResponse {
  user: User;
  session: {
    /** When the session ends if the visitor stays idle. */
    expiresAt: string;
    /** When the session ends whatever the visitor does. */
    absoluteExpiresAt: string;
  };
}

/**
 * `GET /auth/me`, 401: not signed in, and whether the identity provider can sign a visitor in
 * without showing a page. `signIn.silent` is true for Campus One (`/auth/login?prompt=none`,
 * OpenID Connect Core §3.1.2.1) and false for a django-sso gateway, whose protocol has no such
 * request: the web app then never sends a visitor of a public page to sign in.
 */
export interface AnonymousMeResponse extends ErrorBody {
  signIn: { silent: boolean };
}

/** `POST /auth/logout`, 200. */
export interface LogoutResponse {
  ok: true;
  /**
   * Where the browser goes next to end the Campus One session too, when Campus One has an
   * end-session endpoint: a same-origin path (`/auth/end-session/<one-time handle>`, valid once
   * for 60 s) that redirects to it (OpenID Connect RP-Initiated Logout 1.0 §2). It never carries
   * the id_token itself: only the redirect does.
   */
  endSessionUrl: string | null;
}

/** The header every state-changing browser request must carry (`X-CSRF: 1`). */
export const CSRF_HEADER = 'x-csrf';

/** The marker a failed silent sign-in leaves so the web app stops retrying for a while. */
export const ANON_MARKER_COOKIE = 'c1_anon';

/** The session cookie's name over plain http (development) and over https (`__Host-` prefix). */
export const SESSION_COOKIE = { insecure: 'porter.sid', secure: '__Host-porter.sid' } as const;
