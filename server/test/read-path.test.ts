import { describe, expect, it } from 'vitest';
import { REFRESH_BEFORE_MS } from '../src/session/lifetime.js';
import { nextStep, type ReadFields, type ReadStep } from '../src/session/read-path.js';

const MINUTE = 60_000;
const rules = { idleTimeoutMs: 60 * MINUTE, touchIntervalMs: 5 * MINUTE };
const NOW = 1_000 * MINUTE;
/** Signed in a minute ago, touched now, with an access token that lives an hour more. */
const fresh: ReadFields = { lastTouchedAt: NOW - MINUTE, absoluteExpiresAt: NOW + 600 * MINUTE, accessTokenExpiresAt: NOW + 60 * MINUTE };

describe('nextStep, the /auth/me decision', () => {
  const cases: Array<[string, Partial<ReadFields>, boolean, ReadStep]> = [
    ['a valid session with nothing to write', {}, false, 'answer'],
    ['idle for exactly the idle timeout', { lastTouchedAt: NOW - 60 * MINUTE }, false, 'end'],
    ['past its absolute expiry though touched just now', { lastTouchedAt: NOW, absoluteExpiresAt: NOW }, false, 'end'],
    ['expired and due for a refresh and a touch (ending comes first)', { lastTouchedAt: NOW - 61 * MINUTE, accessTokenExpiresAt: NOW }, false, 'end'],
    ['an access token expiring within the refresh margin', { accessTokenExpiresAt: NOW + REFRESH_BEFORE_MS }, false, 'refresh'],
    ['an access token expiring just after the margin', { accessTokenExpiresAt: NOW + REFRESH_BEFORE_MS + 1 }, false, 'answer'],
    ['an access token already expired', { accessTokenExpiresAt: NOW - MINUTE }, false, 'refresh'],
    ['due for a refresh and a touch (the refresh comes first)', { accessTokenExpiresAt: NOW, lastTouchedAt: NOW - 10 * MINUTE }, false, 'refresh'],
    ['due for a refresh already tried by this request', { accessTokenExpiresAt: NOW }, true, 'answer'],
    ['due for a refresh already tried, and for a touch', { accessTokenExpiresAt: NOW, lastTouchedAt: NOW - 10 * MINUTE }, true, 'touch'],
    ['a token that is never refreshed (null)', { accessTokenExpiresAt: null }, false, 'answer'],
    ['a failed refresh asked to wait', { accessTokenExpiresAt: NOW, refreshRetryAt: NOW + 1 }, false, 'answer'],
    ['the wait after a failed refresh is over', { accessTokenExpiresAt: NOW, refreshRetryAt: NOW }, false, 'refresh'],
    ['touched exactly one touch interval ago', { lastTouchedAt: NOW - 5 * MINUTE }, false, 'touch'],
    ['touched just under one touch interval ago', { lastTouchedAt: NOW - 5 * MINUTE + 1 }, false, 'answer'],
  ];

  it.each(cases)('%s', (_name, change, refreshTried, expected) => {
    expect(nextStep({ ...fresh, ...change }, NOW, rules, refreshTried)).toBe(expected);
  });
});
