import { createHash, hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, errors } from 'jose';

/**
 * Seals small JSON values (login transactions, tokens at rest) with JWE `dir` + `A256GCM`
 * (RFC 7516). Keys are derived from the session secrets with HKDF, one per purpose, so a
 * value sealed for one purpose never opens for another. The first secret seals; every secret
 * opens, which lets operators rotate SESSION_SECRET without ending sessions.
 */
export interface Sealer {
  seal(value: unknown): Promise<string>;
  /** The value, or `null` when the input is not something this sealer made. */
  open<T>(sealed: string): Promise<T | null>;
}

interface DerivedKey {
  kid: string;
  key: Uint8Array;
}

function derive(secret: string, purpose: string): DerivedKey {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'porter', purpose, 32));
  const kid = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { kid, key };
}

export function createSealer(secrets: readonly string[], purpose: string): Sealer {
  const keys = secrets.map((secret) => derive(secret, purpose));
  const [current] = keys;
  if (!current) throw new TypeError('"secrets" must hold at least one secret');
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  return Object.freeze({
    seal: (value: unknown) =>
      new CompactEncrypt(encoder.encode(JSON.stringify(value)))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid })
        .encrypt(current.key),

    async open<T>(sealed: string): Promise<T | null> {
      try {
        const { plaintext } = await compactDecrypt(sealed, ({ kid }) => {
          const match = keys.find((k) => k.kid === kid);
          if (!match) throw new errors.JWEDecryptionFailed();
          return match.key;
        }, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        return JSON.parse(decoder.decode(plaintext)) as T;
      } catch {
        return null;
      }
    },
  });
}
