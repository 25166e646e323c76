import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Opaque handles for sessions shown to people ("your devices"): an HMAC-SHA256 of the session
 * id under a key derived from the first session secret, so a handle names a session without
 * revealing or allowing anyone to forge its id. Handles change when the first secret rotates,
 * which only means a list must be loaded again.
 */
export interface SessionHandles {
  /** 22 base64url characters (128 bits of the HMAC). */
  handleOf(sessionId: string): string;
}

export function createSessionHandles(secrets: readonly string[]): SessionHandles {
  const [secret] = secrets;
  if (!secret) throw new TypeError('"secrets" must hold at least one secret');
  const key = Buffer.from(hkdfSync('sha256', secret, 'porter', 'session handle', 32));
  return Object.freeze({
    handleOf: (sessionId: string) => createHmac('sha256', key).update(sessionId).digest('base64url').slice(0, 22),
  });
}
