/** Stands for the role of a user whose tokens carried no `role` claim, where roles are counted. */
export const NO_ROLE = 'none';

/** Roles that may list and revoke other people's sessions. */
export const SESSION_ADMIN_ROLES = ['admin'] as const;

/**
 * `GET /api/admin/reports`, 200 (roles in `REPORT_ROLES`). Times are ISO 8601 strings; days are UTC
 * calendar days. Roles are Campus One's free-form strings, or {@link NO_ROLE}.
 */
export interface AdminReport {
  generatedAt: string;
  /** One entry per day, oldest first, today last. */
  days: ReportDay[];
  /** Sessions alive now, by the primary role of their user. */
  activeSessions: { total: number; byRole: Record<string, number> };
  /** The latest role changes and revocations, newest first. */
  recentChanges: SessionChange[];
}

/** What happened to sign-ins on one UTC day. */
export interface ReportDay {
  /** `YYYY-MM-DD` */
  date: string;
  /** Completed sign-ins, silent and interactive. */
  signIns: number;
  signInsByRole: Record<string, number>;
  silentSignIns: number;
  interactiveSignIns: number;
  /** Silent attempts (`prompt=none`, OpenID Connect Core §3.1.2.1) that came back to the callback. */
  silentAttempts: number;
  /** Silent attempts answered `login_required` and the like (Core §3.1.2.6): no Campus One session. */
  silentNoProviderSession: number;
  /** `silentSignIns / silentAttempts`, from 0 to 1; `null` on a day without silent attempts. */
  silentSuccessRate: number | null;
  /** Sign-ins that ended on an error, silent or not; keyed by Porter error code. */
  failures: number;
  failuresByReason: Record<string, number>;
  signOuts: number;
  /** Revocations (each may end several sessions): webhooks, back-channel logout, admins. */
  revocations: number;
  /** Role changes applied from Campus One webhooks. */
  roleChanges: number;
}

/** One role change or revocation, as listed in {@link AdminReport.recentChanges}. */
export interface SessionChange {
  at: string;
  kind: 'role_changed' | 'revoked';
  /** Campus One's subject identifier of the person concerned. */
  sub: string;
  /** Their name as their sessions knew it; `null` when they had no live session. */
  name: string | null;
  /**
   * `webhook`: a Campus One webhook (see `event`); `backchannel_logout`: OpenID Connect
   * Back-Channel Logout 1.0; `admin`: `DELETE /api/admin/users/:sub/sessions` (see `actor`).
   */
  source: 'webhook' | 'backchannel_logout' | 'admin';
  /** The webhook's event name, such as `user.deleted`; `null` for other sources. */
  event: string | null;
  /** The admin who revoked, by `sub`; `null` for other sources. */
  actor: string | null;
  /** Role changes only; `null` otherwise. */
  previousRole: string | null;
  newRole: string | null;
  /** How many live sessions it changed or ended. */
  sessions: number;
}

/** One live session in `GET /api/admin/users/:sub/sessions`. Never a token, never the session id. */
export interface SessionSummary {
  role: string | null;
  createdAt: string;
  /** Accurate to the server's touch interval, the most often a session's last activity is written. */
  lastSeenAt: string;
  /** When the session ends if its user stays idle. */
  expiresAt: string;
  /** When the session ends whatever its user does. */
  absoluteExpiresAt: string;
}

/** `GET /api/admin/users/:sub/sessions`, 200 (role `admin`): newest first. */
export interface UserSessionsResponse {
  sub: string;
  sessions: SessionSummary[];
}

/** `DELETE /api/admin/users/:sub/sessions`, 200 (role `admin`, header `X-CSRF: 1`). */
export interface RevokeSessionsResponse {
  ok: true;
  /** How many live sessions ended. */
  revoked: number;
}

/** Someone who signed in recently, as the admins' people search finds them. */
export interface Person {
  /** The identity provider's subject identifier. */
  sub: string;
  name: string;
  email: string | null;
  role: string | null;
}

/** `GET /api/admin/users?q=`, 200 (role `admin`): people with live sessions whose name or email begins with `q`. */
export interface PeopleSearchResponse {
  people: Array<Person & { sessions: number }>;
}
