import { describe, expect, it } from 'vitest';
import { REMEMBER_MS, hearSilentSignIn, heardSilentSignIn } from '@/lib/silent-sign-in';

describe('what the proxy remembers of silent sign-in', () => {
  it('remembers a provider without silent sign-in for REMEMBER_MS, then asks again', () => {
    hearSilentSignIn({ status: 'anonymous', silentSignIn: false }, 1_000);
    expect(heardSilentSignIn(1_000)).toBe(false);
    expect(heardSilentSignIn(1_000 + REMEMBER_MS - 1)).toBe(false);
    expect(heardSilentSignIn(1_000 + REMEMBER_MS)).toBeUndefined();
  });

  it('forgets it as soon as the BFF answers a 401 without it, and learns nothing from other answers', () => {
    hearSilentSignIn({ status: 'anonymous', silentSignIn: false }, 0);
    hearSilentSignIn({ status: 'unavailable', reason: 'x' }, 1);
    expect(heardSilentSignIn(2)).toBe(false);
    hearSilentSignIn({ status: 'anonymous' }, 3);
    expect(heardSilentSignIn(4)).toBeUndefined();
  });
});
