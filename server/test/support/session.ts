import type { Browser } from './browser.js';
import type { Stack } from './stack.js';

/** The session id inside the signed session cookie (`s:<id>.<signature>`). */
export function sessionIdOf(browser: Browser, stack: Stack, instance = 0): string {
  const name = stack.instances[instance]?.config.session.cookieName ?? '';
  const raw = decodeURIComponent(browser.cookie(name) ?? '');
  const match = /^s:([^.]+)\./.exec(raw);
  if (!match?.[1]) throw new Error(`no session cookie ${name}`);
  return match[1];
}
