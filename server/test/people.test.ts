import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@porter/shared';
import { userFromClaims } from '../src/oidc/claims.js';
import { PeopleDirectory } from '../src/session/people.js';
import { createKeys } from '../src/store/keys.js';
import { RedisKv } from '../src/store/redis-kv.js';
import { redisUrl } from './support/env.js';

const HOUR_MS = 60 * 60 * 1000;

/** A Campus One user as sign-in builds it from the id_token's claims. */
function user(sub: string, name: string, email: string): User {
  return userFromClaims({ sub, name, email, role: 'student' }, null);
}

describe('the people directory', () => {
  let kv: RedisKv;
  let people: PeopleDirectory;
  const subs = (found: { sub: string }[]) => found.map((person) => person.sub);
  beforeAll(async () => {
    kv = await RedisKv.connect(redisUrl());
    people = new PeopleDirectory(kv, createKeys(`test:${randomUUID()}:`), HOUR_MS, Date.now);
  });
  afterAll(() => kv.close());

  it('finds a person who signs in again as they were, and after a change only by what they are now called', async () => {
    await people.record(user('p1', 'Ada Obi', 'ada@campus.test'));
    await people.record(user('p1', 'Ada Obi', 'ada@campus.test'));
    for (const query of ['ada', 'obi', 'ada obi', 'ada@campus']) expect(subs(await people.search(query, 10))).toEqual(['p1']);

    await people.record(user('p1', 'Ada Eze', 'ada.eze@campus.test'));
    expect(subs(await people.search('eze', 10))).toEqual(['p1']);
    expect(subs(await people.search('ada.eze@', 10))).toEqual(['p1']);
    expect(await people.search('obi', 10)).toEqual([]);
    expect(await people.search('ada@campus', 10)).toEqual([]);
    expect(await people.search('ada', 10)).toEqual([{ sub: 'p1', name: 'Ada Eze', email: 'ada.eze@campus.test', role: 'student' }]);
  });
});
