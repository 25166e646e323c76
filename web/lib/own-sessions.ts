import type { OwnSession, OwnSessionsResponse } from '@porter/shared';
import { count, list, oneOf, record, text } from './checks';

const METHODS: ReadonlySet<string> = new Set<NonNullable<OwnSession['signInMethod']>>(['silent', 'interactive']);

/**
 * The parsed JSON body of `GET /auth/sessions` as an {@link OwnSessionsResponse}. Throws a
 * `TypeError` naming the first field that does not fit.
 */
export function parseOwnSessions(json: unknown): OwnSessionsResponse {
  const body = record(json, 'body');
  count(body.lastSeenAccuracyS, 'lastSeenAccuracyS');
  list(body.sessions, 'sessions').forEach((value, i) => {
    const at = `sessions[${i}]`;
    const session = record(value, at);
    for (const field of ['handle', 'device', 'createdAt', 'lastSeenAt', 'expiresAt'] as const) text(session[field], `${at}.${field}`);
    if (typeof session.current !== 'boolean') throw new TypeError(`"${at}.current" must be a boolean`);
    if (session.signInMethod !== null) oneOf(session.signInMethod, METHODS, `${at}.signInMethod`);
  });
  return json as OwnSessionsResponse;
}
