import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { attemptSecrets, pkceChallenge } from '../src/oidc/flow.js';

describe('the PKCE S256 code challenge', () => {
  it('matches the example of RFC 7636 Appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('is what openid-client computes, for fresh verifiers', async () => {
    for (let i = 0; i < 20; i++) {
      const verifier = oidc.randomPKCECodeVerifier();
      expect(pkceChallenge(verifier)).toBe(await oidc.calculatePKCECodeChallenge(verifier));
    }
  });
});

describe("a sign-in attempt's state, nonce and code verifier", () => {
  it('are 43 base64url characters each (256 bits, RFC 7636 §4.1), as openid-client makes them, and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      for (const value of Object.values(attemptSecrets())) {
        expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(value.length).toBe(oidc.randomState().length);
        seen.add(value);
      }
    }
    expect(seen.size).toBe(150);
  });
});
