import type { SessionLookup } from './session';

/**
 * What this process last heard from the BFF's 401 `/auth/me` answer about silent sign-in, so that
 * a proxy of a provider without it (django-sso) stops asking the BFF on every anonymous public
 * page load: such a page renders whatever the answer. Forgotten after {@link REMEMBER_MS}, so a
 * BFF that changed provider is heard again; correctness never rests on it, since a lookup's own
 * answer always decides (lib/proxy-decision.ts).
 */
export const REMEMBER_MS = 60_000;

let heard: { silent: boolean; atMs: number } | null = null;

/** Notes what an anonymous lookup said; other lookups say nothing about the provider. */
export function hearSilentSignIn(lookup: SessionLookup, nowMs = Date.now()): void {
  if (lookup.status === 'anonymous') heard = { silent: lookup.silentSignIn !== false, atMs: nowMs };
}

/** `false` when the BFF said, within {@link REMEMBER_MS}, that silent sign-in does not exist; `undefined` otherwise. */
export function heardSilentSignIn(nowMs = Date.now()): false | undefined {
  return heard !== null && !heard.silent && nowMs - heard.atMs < REMEMBER_MS ? false : undefined;
}
