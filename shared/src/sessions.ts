/** How a session began: a silent sign-in (`prompt=none`, OpenID Connect Core §3.1.2.1) or an interactive one. */
export type SignInMethod = 'silent' | 'interactive';

/**
 * One of the signed-in person's own live sessions, in `GET /auth/sessions`. Never the session
 * id or a token: `handle` is an opaque name for it, valid for `DELETE /auth/sessions/:handle`.
 */
export interface OwnSession {
  handle: string;
  /** True for the session that made this request. */
  current: boolean;
  /** Browser and operating system, such as `Firefox on Windows`, or `Unknown device`. */
  device: string;
  /** `null` for sessions from before Porter recorded it. */
  signInMethod: SignInMethod | null;
  createdAt: string;
  /** Accurate to the server's touch interval, the most often a session's last activity is written. */
  lastSeenAt: string;
  /** When the session ends if its user stays idle. */
  expiresAt: string;
}

/** `GET /auth/sessions`, 200: the person's live sessions, newest first. */
export interface OwnSessionsResponse {
  sessions: OwnSession[];
  /** The touch interval in seconds: how stale `lastSeenAt` may be. */
  lastSeenAccuracyS: number;
}

/** `DELETE /auth/sessions/:handle` and `DELETE /auth/sessions?others=1`, 200 (`X-CSRF: 1`, same origin). */
export interface EndSessionsResponse {
  ok: true;
  /** How many sessions ended. */
  ended: number;
}
