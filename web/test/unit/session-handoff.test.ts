import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MeResponse } from '@porter/shared';
import { HANDOFF_MAX_AGE_MS, openHandoff, sealHandoff } from '../../lib/session-handoff';
import { user } from './users';

const ME: MeResponse = {
  user: user('student'),
  session: { expiresAt: '2030-01-01T00:00:00.000Z', absoluteExpiresAt: '2030-01-07T00:00:00.000Z' },
};
const COOKIE = 'porter.sid=s%3Aabc.def';
const NOW = 1_800_000_000_000;
const KEY = randomBytes(32);

describe('the session handoff from the proxy to the page', () => {
  it('hands the BFF answer over within the same request', () => {
    expect(openHandoff(sealHandoff(ME, COOKIE, NOW, KEY), COOKIE, NOW + 20, KEY)).toEqual(ME);
  });

  it('is ignored when missing or malformed', () => {
    expect(openHandoff(null, COOKIE, NOW, KEY)).toBeNull();
    expect(openHandoff('', COOKIE, NOW, KEY)).toBeNull();
    expect(openHandoff('not-a-handoff', COOKIE, NOW, KEY)).toBeNull();
    expect(openHandoff(`${sealHandoff(ME, COOKIE, NOW, KEY)}.extra`, COOKIE, NOW, KEY)).toBeNull();
  });

  it('is ignored when forged: made with another key, or its body changed', () => {
    expect(openHandoff(sealHandoff(ME, COOKIE, NOW, randomBytes(32)), COOKIE, NOW, KEY)).toBeNull();
    const [stamp, , mac] = sealHandoff(ME, COOKIE, NOW, KEY).split('.');
    const admin = Buffer.from(JSON.stringify({ ...ME, user: { ...ME.user, role: 'admin', roles: ['admin'] } })).toString('base64url');
    expect(openHandoff(`${stamp}.${admin}.${mac}`, COOKIE, NOW, KEY)).toBeNull();
    // A header a client made without the key: a plausible shape, no valid MAC.
    expect(openHandoff(`${NOW}.${admin}.${Buffer.alloc(32).toString('base64url')}`, COOKIE, NOW, KEY)).toBeNull();
  });

  it('is ignored for another session cookie than the one it was made for', () => {
    expect(openHandoff(sealHandoff(ME, COOKIE, NOW, KEY), 'porter.sid=s%3Aother.sig', NOW, KEY)).toBeNull();
  });

  it('is ignored when stale, or dated in the future', () => {
    const header = sealHandoff(ME, COOKIE, NOW, KEY);
    expect(openHandoff(header, COOKIE, NOW + HANDOFF_MAX_AGE_MS, KEY)).toEqual(ME);
    expect(openHandoff(header, COOKIE, NOW + HANDOFF_MAX_AGE_MS + 1, KEY)).toBeNull();
    expect(openHandoff(header, COOKIE, NOW - 1, KEY)).toBeNull();
  });
});
