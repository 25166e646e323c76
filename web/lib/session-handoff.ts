import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MeResponse } from '@porter/shared';
import { isMeResponse } from './session';

/*
 * The proxy asks the BFF who the visitor is (`GET /auth/me`); the page used to ask again. Now the
 * proxy hands its answer to the page in a request header, and the page takes it only when it
 * carries a MAC made with a key that lives in this server process alone:
 *
 *   x-porter-session: <ms since epoch>.<base64url(/auth/me body)>.<base64url(HMAC-SHA256)>
 *   HMAC over "<ms>.<the request's session cookie pairs>.<base64url body>"
 *
 * Why it is safe:
 * - Nobody outside this process can make a valid header: the key is 32 random bytes made when
 *   the process first needs it, never configured, written or sent anywhere, so there is no
 *   secret to leak, share or rotate. (A key derived from a configured secret would let anyone
 *   holding that secret forge answers, and buys nothing: the proxy and the page of one request
 *   run in the same process. Were they ever apart, the page would find the MAC wrong and ask the
 *   BFF itself: slower, never wrong.) A header a client sends is dropped by the proxy and, on a
 *   path the proxy does not match or with the proxy bypassed, fails the MAC; the page then asks
 *   the BFF itself, as before.
 * - It cannot be moved to another visitor or request: the MAC covers the session cookie the
 *   request carries, so it only ever says what the BFF said about that same cookie, and it is
 *   ignored after HANDOFF_MAX_AGE_MS (or when dated in the future).
 * - It never leaves the server: a request header from the proxy to the page within one request.
 * So a page still never trusts the proxy alone: it trusts the BFF's answer, fetched by this
 * process moments ago for this cookie, or asks again. Revocation stays instant: that answer was
 * given after the request arrived.
 */

/** The request header that carries the proxy's /auth/me answer to the page. */
export const SESSION_HANDOFF_HEADER = 'x-porter-session';
/** From the proxy to the page takes milliseconds; anything older is not this request's answer. */
export const HANDOFF_MAX_AGE_MS = 5_000;

// On globalThis, so the proxy's bundle and the pages' bundle in this process share one key.
const KEY_SLOT = Symbol.for('porter.sessionHandoffKey');

function processKey(): Buffer {
  const slot = globalThis as { [KEY_SLOT]?: Buffer };
  slot[KEY_SLOT] ??= randomBytes(32);
  return slot[KEY_SLOT];
}

function macOf(key: Buffer, at: number, cookie: string, body: string): Buffer {
  return createHmac('sha256', key).update(`${at}.${cookie}.${body}`).digest();
}

/**
 * The header value handing `me`, the BFF's answer for `cookie` (the `Cookie` header forwarded to
 * the BFF, as `sessionCookieHeader` makes it), to the page. `now`: ms since the epoch.
 */
export function sealHandoff(me: MeResponse, cookie: string, now: number = Date.now(), key: Buffer = processKey()): string {
  const body = Buffer.from(JSON.stringify(me)).toString('base64url');
  return `${now}.${body}.${macOf(key, now, cookie, body).toString('base64url')}`;
}

/**
 * The BFF's answer the proxy handed over for `cookie`, or `null` when there is none, or it is
 * forged, altered, made for another cookie, older than {@link HANDOFF_MAX_AGE_MS} or dated in
 * the future. Never throws.
 */
export function openHandoff(header: string | null, cookie: string, now: number = Date.now(), key: Buffer = processKey()): MeResponse | null {
  const [stamp, body, mac, ...rest] = (header ?? '').split('.');
  if (!stamp || !body || !mac || rest.length > 0) return null;
  const at = Number(stamp);
  if (!Number.isSafeInteger(at) || at > now || now - at > HANDOFF_MAX_AGE_MS) return null;
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(key, at, cookie, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const me: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return isMeResponse(me) ? me : null;
  } catch {
    return null;
  }
}
