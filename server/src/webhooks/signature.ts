import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header Campus One signs each delivery with. */
export const SIGNATURE_HEADER = 'X-Campus-One-Signature';

/** `sha256=` and exactly 64 hex digits: any other form is refused before comparing anything. */
const WELL_FORMED = /^sha256=([0-9a-fA-F]{64})$/;

function hmac(body: Uint8Array, secret: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** The `X-Campus-One-Signature` of a body: HMAC-SHA256 of its raw bytes, keyed with the secret, in hex. */
export function signatureOf(body: Uint8Array, secret: string): string {
  return `sha256=${hmac(body, secret).toString('hex')}`;
}

/**
 * True when `header` signs exactly these bytes under any of `secrets` (several during a
 * rotation). Compared in constant time, and against every secret, so timing tells nothing
 * about which secret matched or how much of the signature did.
 */
export function verifySignature(body: Uint8Array, header: string | undefined, secrets: readonly string[]): boolean {
  const hex = header === undefined ? undefined : WELL_FORMED.exec(header)?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, 'hex');
  let matched = false;
  for (const secret of secrets) matched = timingSafeEqual(given, hmac(body, secret)) || matched;
  return matched;
}
