/** Every Redis key Porter writes, in one place, under the configured prefix. */
export interface Keys {
  /** connect-redis's prefix; the session id follows it. */
  readonly sessionPrefix: string;
  session(sessionId: string): string;
  /** Sorted set of one user's session ids, scored by when each ends at the latest. */
  userSessions(sub: string): string;
  /** One person of the people directory (JSON: sub, name, email, role, search terms), alive as long as a session may be. */
  person(sub: string): string;
  /** Sorted set, one score, of `<search term>\0<sub>`: the people directory's search index. */
  peopleTerms(): string;
  /** The last search-index member the sweep looked at (see `PeopleDirectory`). */
  peopleSweep(): string;
  /** Sorted set of the session ids that came from one Campus One session (`sid` claim). */
  providerSessions(sid: string): string;
  /** Sorted set of the session ids whose user has this role, scored by when each session ends at the latest (idle or absolute). */
  liveSessionsOfRole(role: string): string;
  /** Hash whose fields are the roles that have had a live-session set, so counting knows which sets to ask. */
  liveRoles(): string;
  /** A webhook delivery id being applied or already applied, so a replay is not applied again. */
  webhookDelivery(id: string): string;
  /** When the last applied webhook events about one user occurred, so an older one arriving late is skipped. */
  webhookUserOrder(sub: string): string;
  /** A back-channel logout token's `jti` already used, so a replayed token is refused. */
  logoutTokenJti(jti: string): string;
  /** Hash of one UTC day's auth event counters (`YYYY-MM-DD`). */
  reportDay(date: string): string;
  /** Capped stream of the latest role changes and revocations. */
  sessionChanges(): string;
  /** Marks a login transaction's `state` as used, so a callback cannot be replayed. */
  usedState(state: string): string;
  /** A pending login's `returnTo` too long for its transaction cookie (see `oidc/transaction.ts`). */
  transactionReturnTo(state: string): string;
  /** The latest account fields a django-sso gateway sent for one user identity (`update_account`). */
  ssoAccount(identy: string): string;
  /** A django-sso authentication token (by its SHA-256) this Porter already accepted, so a replay is refused. */
  usedSsoToken(hash: string): string;
  /** Held while one request refreshes a session's tokens. */
  refreshLock(sessionId: string): string;
  /** The last good copy of Campus One's faculties and departments, with when it was read. */
  academicDirectory(): string;
  /** Held while one request reads the academic directory from Campus One. */
  academicDirectoryLock(): string;
  /** Present for a while after a failed read of the academic directory: nobody tries meanwhile. */
  academicDirectoryRetry(): string;
  /** Campus One's end-session URL waiting for the browser to follow its one-time handle (`oidc/end-session.ts`). */
  endSessionHandle(handle: string): string;
  health(instance: string): string;
}

export function createKeys(prefix: string): Keys {
  const sessionPrefix = `${prefix}sess:`;
  return Object.freeze({
    sessionPrefix,
    session: (sessionId: string) => sessionPrefix + sessionId,
    userSessions: (sub: string) => `${prefix}user-sessions:${sub}`,
    person: (sub: string) => `${prefix}person:${sub}`,
    peopleTerms: () => `${prefix}people-terms`,
    peopleSweep: () => `${prefix}people-sweep`,
    providerSessions: (sid: string) => `${prefix}sid-sessions:${sid}`,
    liveSessionsOfRole: (role: string) => `${prefix}live-sessions:${role}`,
    liveRoles: () => `${prefix}live-roles`,
    webhookDelivery: (id: string) => `${prefix}webhook-delivery:${id}`,
    webhookUserOrder: (sub: string) => `${prefix}webhook-user-order:${sub}`,
    logoutTokenJti: (jti: string) => `${prefix}logout-jti:${jti}`,
    reportDay: (date: string) => `${prefix}report-day:${date}`,
    sessionChanges: () => `${prefix}session-changes`,
    usedState: (state: string) => `${prefix}used-state:${state}`,
    transactionReturnTo: (state: string) => `${prefix}txn-return-to:${state}`,
    ssoAccount: (identy: string) => `${prefix}sso-account:${identy}`,
    usedSsoToken: (hash: string) => `${prefix}used-sso-token:${hash}`,
    refreshLock: (sessionId: string) => `${prefix}refresh-lock:${sessionId}`,
    academicDirectory: () => `${prefix}academic-directory`,
    academicDirectoryLock: () => `${prefix}academic-directory-lock`,
    academicDirectoryRetry: () => `${prefix}academic-directory-retry`,
    endSessionHandle: (handle: string) => `${prefix}end-session:${handle}`,
    health: (instance: string) => `${prefix}health:${instance}`,
  });
}
