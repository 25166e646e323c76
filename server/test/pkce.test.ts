import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { pkceChallenge } from '../src/oidc/flow.js';

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
