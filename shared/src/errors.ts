/**
 * Stable error codes the server returns in `{ "error": { "code", "message" } }` and logs with
 * the same code. Clients branch on the code, never on the message.
 */
export const ErrorCode = {
  /** No session, or the session has ended. */
  Unauthenticated: 'porter/unauthenticated',
  /** Signed in, but without a role this resource needs. */
  Forbidden: 'porter/forbidden',
  /** A state-changing request arrived without the `X-CSRF: 1` header. */
  CsrfRequired: 'porter/csrf_required',
  /** The callback's `state` is missing, unknown, already used or bound to another browser. */
  InvalidState: 'porter/invalid_state',
  /** Campus One answered the authorization request with an error (RFC 6749 §4.1.2.1). */
  ProviderError: 'porter/provider_error',
  /** The code exchange or the id_token checks failed (OpenID Connect Core §3.1.3.7). */
  TokenRejected: 'porter/token_rejected',
  /**
   * The action needs a recent sign-in (ending someone else's sessions): the session's last
   * authentication at Campus One (`auth_time`) is older than `PORTER_STEP_UP_MAX_AGE_S` (401).
   * The web app sends the person through `/auth/login?step_up=1&returnTo=...` and they try again.
   */
  StepUpRequired: 'porter/step_up_required',
  /**
   * A step-up's id_token says the person last authenticated before the step-up asked them to
   * (`auth_time` older than `max_age` allows, OpenID Connect Core §3.1.2.1 and §3.1.3.7), or does
   * not say when (400): Campus One did not ask them again. The session is unchanged.
   */
  StepUpNotFresh: 'porter/step_up_not_fresh',
  /** A step-up came back signed in as another person than the session's (403). The session is unchanged. */
  StepUpWrongUser: 'porter/step_up_wrong_user',
  /** Campus One cannot be reached or its discovery document is unusable. */
  ProviderUnavailable: 'porter/provider_unavailable',
  /** The session store (Redis) cannot be reached. */
  StoreUnavailable: 'porter/store_unavailable',
  /** The request is malformed: bad JSON, missing fields, wrong types. */
  BadRequest: 'porter/bad_request',
  /** The request body is larger than the route accepts. */
  PayloadTooLarge: 'porter/payload_too_large',
  /** A webhook's signature is missing or does not match. */
  InvalidSignature: 'porter/invalid_signature',
  /** A webhook event is too old, or dated in the future. */
  StaleEvent: 'porter/stale_event',
  /** A back-channel logout token failed validation (OpenID Connect Back-Channel Logout 1.0 §2.6). */
  InvalidLogoutToken: 'porter/invalid_logout_token',
  /**
   * `CAMPUS_ONE_WEBHOOK_SECRET` is not set, so no webhook can be verified (503, RFC 9110 §15.6.4):
   * Campus One retries later instead of losing the event.
   */
  WebhooksNotConfigured: 'porter/webhooks_not_configured',
  /**
   * A webhook with this delivery id is being applied right now (409, RFC 9110 §15.5.10); the
   * sender should retry, and the retry is answered as a duplicate once the first one finished.
   */
  DeliveryInProgress: 'porter/delivery_in_progress',
  /**
   * Log only: a token refresh met `invalid_grant` (RFC 6749 §5.2), so Campus One ended the
   * user's grant and Porter ended the session. The client then sees `porter/unauthenticated`.
   */
  RefreshRevoked: 'porter/refresh_revoked',
  /**
   * Log only: Campus One refused this server's own client credentials (`invalid_client`,
   * RFC 6749 §5.2), a configuration error; sessions are kept and the refresh is retried later.
   */
  ClientRejected: 'porter/client_rejected',
  /**
   * An API proxy path that could climb out of its upstream's base path or be read differently
   * upstream: a `.` or `..` segment (raw or percent-encoded), an encoded slash or backslash, a
   * backslash, NUL, or a second `?` (400).
   */
  BadPath: 'porter/bad_path',
  /**
   * The session holds no access token to send upstream (403): its identity provider issues none
   * (a django-sso gateway), so the API proxy and the academic API refuse rather than send an
   * empty `Authorization: Bearer`.
   */
  NoAccessToken: 'porter/no_access_token',
  /** The API proxy could not reach the upstream (connection refused or reset, name unknown): 502. */
  UpstreamUnavailable: 'porter/upstream_unavailable',
  /** The upstream sent no response headers within `PORTER_API_TIMEOUT_MS`: 504. */
  UpstreamTimeout: 'porter/upstream_timeout',
  /**
   * Campus One's academic API cannot be read and Porter holds no earlier copy of the directory
   * (503): the app shows the ids the claims carry instead of names.
   */
  AcademicUnavailable: 'porter/academic_unavailable',
  /**
   * Too many requests from one client address (or, for `/api`, one session) within a minute
   * (429, RFC 6585 §4); `Retry-After` says how many seconds to wait.
   */
  RateLimited: 'porter/rate_limited',
  /** No route matches. */
  NotFound: 'porter/not_found',
  /** Anything unexpected; details are in the server log under the same request id. */
  Internal: 'porter/internal',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
