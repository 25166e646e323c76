import { describe, expect, it } from 'vitest';
import { mergeSessionWrite } from '../src/session/concurrent-writes.js';

/** A stored session as JSON sees it (`mergeSessionWrite` works on the strings). */
type Session = Record<string, unknown>;
const user = (role: string) => ({ sub: 'c1|1', role, roles: [role] });
const tokens = (n: number) => `sealed-tokens-${n}`;
/** As this request read it: revision 1 of the user and tokens, and touched at 1000. */
const read: Session = { persisted: true, user: user('student'), userRevision: 1, tokens: tokens(1), tokensRevision: 1, accessTokenExpiresAt: 5000, authTime: 100, providerSid: 'sid-1', lastTouchedAt: 1000 };

describe('mergeSessionWrite, a write-back that must not undo another instance’s change', () => {
  const cases: Array<[string, Session | null, Session, Session | null]> = [
    ['a new session is written, marked persisted', null, { ...read, persisted: undefined }, { ...read, persisted: true }],
    ['a session ended meanwhile is not brought back', null, { ...read, lastTouchedAt: 2000 }, null],
    ['nothing changed elsewhere: the request’s copy is written', read, { ...read, lastTouchedAt: 2000 }, { ...read, lastTouchedAt: 2000 }],
    ['a newer user (a role change) stays; the rest is the request’s', { ...read, user: user('mentor'), userRevision: 2 }, { ...read, lastTouchedAt: 2000 }, { ...read, user: user('mentor'), userRevision: 2, lastTouchedAt: 2000 }],
    ['the request’s own newer user is written', read, { ...read, user: user('staff'), userRevision: 2 }, { ...read, user: user('staff'), userRevision: 2 }],
    [
      'newer tokens (a refresh) stay, with their expiry, auth_time and sid',
      { ...read, tokens: tokens(2), tokensRevision: 2, accessTokenExpiresAt: 9000, authTime: 200, providerSid: 'sid-2' },
      { ...read, lastTouchedAt: 2000 },
      { ...read, tokens: tokens(2), tokensRevision: 2, accessTokenExpiresAt: 9000, authTime: 200, providerSid: 'sid-2', lastTouchedAt: 2000 },
    ],
    [
      'a failed refresh’s wait is kept with the stored tokens',
      { ...read, tokensRevision: 2, refreshRetryAt: 7000 },
      { ...read, refreshRetryAt: 3000 },
      { ...read, tokensRevision: 2, refreshRetryAt: 7000 },
    ],
    ['the request’s own refresh is written', read, { ...read, tokens: tokens(2), tokensRevision: 2, accessTokenExpiresAt: 9000 }, { ...read, tokens: tokens(2), tokensRevision: 2, accessTokenExpiresAt: 9000 }],
    [
      'a newer user and newer tokens both stay',
      { ...read, user: user('mentor'), userRevision: 3, tokens: tokens(2), tokensRevision: 2 },
      { ...read, lastTouchedAt: 2000 },
      { ...read, user: user('mentor'), userRevision: 3, tokens: tokens(2), tokensRevision: 2, lastTouchedAt: 2000 },
    ],
    ['revisions missing on both sides count as 0', { ...read, userRevision: undefined, user: user('mentor') }, { ...read, userRevision: undefined }, { ...read, userRevision: undefined }],
  ];

  it.each(cases)('%s', (_name, stored, incoming, expected) => {
    const written = mergeSessionWrite(stored === null ? null : JSON.stringify(stored), JSON.stringify(incoming));
    expect(written === null ? null : JSON.parse(written)).toEqual(expected === null ? null : JSON.parse(JSON.stringify(expected)));
  });
});
