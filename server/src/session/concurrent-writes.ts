import type { SessionData } from 'express-session';

/**
 * What to store when express-session writes a session back, given what the store holds now
 * (`null`: nothing), or `null` to write nothing. Runs inside `Kv.update`, so `stored` is exactly
 * the value the write replaces.
 *
 * express-session writes the whole session at the end of a request, from what it read at the
 * start. Meanwhile another instance may have changed the stored session, and a stale write must
 * not undo that:
 * - Campus One changed the user's role, name or email (`SessionDirectory.updateUser` raised
 *   `userRevision`): the stored user stays;
 * - a refresh replaced the tokens (`SessionLifecycle.replaceTokens` raised `tokensRevision`) while this
 *   request, finding the refresh under way, kept its older copy: the stored tokens stay, or the
 *   used refresh token would come back, and Campus One, which rotates them, would end the grant;
 *   a step-up (`SessionLifecycle.stepUp`) raised it too, with the new `auth_time` and Campus One
 *   `sid`, which stay with the tokens (or the admin would be asked to step up again);
 * - the session was ended (revocation, back-channel logout, sign-out in another tab): a session
 *   that was read from the store carries `persisted`, and is not brought back to life.
 */
export function mergeSessionWrite(stored: string | null, incoming: string): string | null {
  const next = JSON.parse(incoming) as SessionData;
  if (stored === null) return next.persisted ? null : JSON.stringify({ ...next, persisted: true });
  const current = JSON.parse(stored) as SessionData;
  const storedRevision = current.userRevision ?? 0;
  if (storedRevision > (next.userRevision ?? 0)) {
    next.user = current.user;
    next.userRevision = storedRevision;
  }
  const storedTokensRevision = current.tokensRevision ?? 0;
  if (storedTokensRevision > (next.tokensRevision ?? 0)) {
    const { tokens, accessTokenExpiresAt, refreshRetryAt, authTime, providerSid } = current;
    Object.assign(next, { tokens, accessTokenExpiresAt, refreshRetryAt, authTime, providerSid, tokensRevision: storedTokensRevision });
  }
  return JSON.stringify({ ...next, persisted: true });
}
