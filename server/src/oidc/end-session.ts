import { randomBytes } from 'node:crypto';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** How long a sign-out handle stays usable: the page follows it at once. */
export const END_SESSION_HANDLE_TTL_MS = 60_000;

/**
 * Campus One's end-session URL carries the id_token as `id_token_hint` (RP-Initiated Logout
 * 1.0 §2), and tokens never reach the page's JavaScript. So sign-out answers the page a
 * same-origin URL naming a one-time handle (256 random bits, kept in the store for a minute);
 * the browser follows it as a navigation, and only that redirect carries the id_token.
 */
export class EndSessionHandles {
  constructor(
    private readonly kv: Kv,
    private readonly keys: Keys,
  ) {}

  /** Keeps `url` under a fresh handle; returns the handle (43 base64url characters). */
  async keep(url: string): Promise<string> {
    const handle = randomBytes(32).toString('base64url');
    await this.kv.set(this.keys.endSessionHandle(handle), url, END_SESSION_HANDLE_TTL_MS);
    return handle;
  }

  /** The URL kept under `handle`, once; `null` when it is unknown, used or expired. */
  async take(handle: string): Promise<string | null> {
    const key = this.keys.endSessionHandle(handle);
    const url = await this.kv.get(key);
    if (url !== null) await this.kv.del(key);
    return url;
  }
}
