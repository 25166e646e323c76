import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Seals small JSON values (login transactions, tokens at rest) as JWE compact serialization with
 * `dir` + `A256GCM` (RFC 7516 §7.1, RFC 7518 §4.5 and §5.3). Keys are derived from the session
 * secrets with HKDF, one per purpose, so a value sealed for one purpose never opens for another.
 * The first secret seals; every secret opens, which lets operators rotate SESSION_SECRET without
 * ending sessions.
 *
 * Written on node:crypto rather than jose: jose 6 goes through WebCrypto, whose asynchronous job
 * per call made sealing about a tenth of a sign-in's CPU; this is the same format (a value sealed
 * by either opens with the other, see test/sealer.test.ts), synchronous and several times cheaper.
 */
export interface Sealer {
  seal(value: unknown): Promise<string>;
  /** The value, or `null` when the input is not something this sealer made. */
  open<T>(sealed: string): Promise<T | null>;
}

interface DerivedKey {
  kid: string;
  key: KeyObject;
}

/** A256GCM: a 96-bit IV and a 128-bit tag (RFC 7518 §5.3). */
const IV_BYTES = 12;
const TAG_BYTES = 16;

function derive(secret: string, purpose: string): DerivedKey {
  const raw = Buffer.from(hkdfSync('sha256', secret, 'porter', purpose, 32));
  const kid = createHash('sha256').update(raw).digest('base64url').slice(0, 8);
  return { kid, key: createSecretKey(raw) };
}

export function createSealer(secrets: readonly string[], purpose: string): Sealer {
  const keys = secrets.map((secret) => derive(secret, purpose));
  const [current] = keys;
  if (!current) throw new TypeError('"secrets" must hold at least one secret');
  const sealingKey = current.key;
  const protectedHeader = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: current.kid })).toString('base64url');

  function seal(value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', sealingKey, iv, { authTagLength: TAG_BYTES });
    // The Additional Authenticated Data is the encoded protected header (RFC 7516 §5.1 step 14).
    cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    // `dir` has no encrypted key: the second part is empty.
    return `${protectedHeader}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  function open<T>(sealed: string): T | null {
    try {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[1] !== '') return null;
      const [encodedHeader = '', , encodedIv = '', encodedCiphertext = '', encodedTag = ''] = parts;
      const header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')) as Record<string, unknown>;
      // Nothing but what seal writes: no compression, no critical extensions, no other algorithm.
      const { alg, enc, kid, ...rest } = header;
      if (alg !== 'dir' || enc !== 'A256GCM' || Object.keys(rest).length > 0) return null;
      const match = keys.find((k) => k.kid === kid);
      const iv = Buffer.from(encodedIv, 'base64url');
      const tag = Buffer.from(encodedTag, 'base64url');
      if (!match || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
      const decipher = createDecipheriv('aes-256-gcm', match.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(Buffer.from(encodedCiphertext, 'base64url')), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8')) as T;
    } catch {
      return null;
    }
  }

  return Object.freeze({
    seal: async (value: unknown) => seal(value),
    open: async <T,>(sealed: string) => open<T>(sealed),
  });
}
