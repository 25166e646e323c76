import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../src/crypto/sealer.js';

const SECRET = 'sealer-test-secret-0123456789-abcdef';
const VALUE = { accessToken: 'at', refreshToken: null, idToken: 'it', n: 42, text: 'é ✓' };
/** The key a sealer derives for a purpose: HKDF-SHA256, salt "porter", info the purpose, 32 bytes. */
const keyFor = (purpose: string) => new Uint8Array(hkdfSync('sha256', SECRET, 'porter', purpose, 32));

describe('the sealer', () => {
  it('opens what it sealed, and nothing sealed for another purpose or with an unknown secret', async () => {
    const tokens = createSealer([SECRET], 'tokens');
    const sealed = await tokens.seal(VALUE);
    expect(await tokens.open(sealed)).toEqual(VALUE);
    expect(await createSealer([SECRET], 'transaction').open(sealed)).toBeNull();
    expect(await createSealer(['another-secret-0123456789-abcdefghij'], 'tokens').open(sealed)).toBeNull();
  });

  it('opens values sealed with an older secret after a rotation', async () => {
    const sealed = await createSealer([SECRET], 'tokens').seal(VALUE);
    expect(await createSealer(['the-new-secret-0123456789-abcdefghij', SECRET], 'tokens').open(sealed)).toEqual(VALUE);
  });

  it('writes standard JWE that jose opens, and opens what jose sealed before (sessions survive the change)', async () => {
    const sealer = createSealer([SECRET], 'tokens');
    const { plaintext, protectedHeader } = await compactDecrypt(await sealer.seal(VALUE), keyFor('tokens'));
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(VALUE);
    expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    const byJose = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(VALUE)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: protectedHeader.kid as string })
      .encrypt(keyFor('tokens'));
    expect(await sealer.open(byJose)).toEqual(VALUE);
  });

  it('refuses a value changed in any part, or with a header it did not write', async () => {
    const sealer = createSealer([SECRET], 'tokens');
    const sealed = await sealer.seal(VALUE);
    const parts = sealed.split('.');
    const flip = (part: string) => (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
    for (const index of [0, 2, 3, 4]) {
      expect(await sealer.open(parts.map((part, i) => (i === index ? flip(part) : part)).join('.'))).toBeNull();
    }
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    const withHeader = (h: Record<string, unknown>) => [Buffer.from(JSON.stringify(h)).toString('base64url'), ...parts.slice(1)].join('.');
    expect(await sealer.open(withHeader({ ...header, zip: 'DEF' }))).toBeNull();
    expect(await sealer.open(withHeader({ ...header, enc: 'A128GCM' }))).toBeNull();
    expect(await sealer.open('not.a.sealed.value')).toBeNull();
    expect(await sealer.open(`${parts[0]}.x.${parts.slice(2).join('.')}`)).toBeNull();
  });
});
