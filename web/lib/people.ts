import type { PeopleSearchResponse, UserSessionsResponse } from '@porter/shared';
import { count, list, record, text, textOrNull } from './checks';

/** The parsed body of `GET /api/admin/users?q=`. Throws a `TypeError` naming the first field that does not fit. */
export function parsePeopleSearch(json: unknown): PeopleSearchResponse {
  list(record(json, 'body').people, 'people').forEach((value, i) => {
    const person = record(value, `people[${i}]`);
    text(person.sub, `people[${i}].sub`);
    text(person.name, `people[${i}].name`);
    textOrNull(person.email, `people[${i}].email`);
    textOrNull(person.role, `people[${i}].role`);
    count(person.sessions, `people[${i}].sessions`);
  });
  return json as PeopleSearchResponse;
}

/** The parsed body of `GET /api/admin/users/:sub/sessions`. Throws a `TypeError` naming the first field that does not fit. */
export function parseUserSessions(json: unknown): UserSessionsResponse {
  const body = record(json, 'body');
  text(body.sub, 'sub');
  list(body.sessions, 'sessions').forEach((value, i) => {
    const session = record(value, `sessions[${i}]`);
    textOrNull(session.role, `sessions[${i}].role`);
    for (const field of ['createdAt', 'lastSeenAt', 'expiresAt', 'absoluteExpiresAt'] as const) text(session[field], `sessions[${i}].${field}`);
  });
  return json as UserSessionsResponse;
}
