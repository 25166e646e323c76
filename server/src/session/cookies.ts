import type { CookieOptions } from 'express';
import type { Config } from '../config.js';

/** Every cookie Porter sets: HttpOnly, SameSite=Lax, Secure whenever the app is served over https. */
export function cookieOptions(config: Config, path = '/'): CookieOptions & { sameSite: 'lax' } {
  return { httpOnly: true, sameSite: 'lax', secure: config.session.secureCookies, path };
}
