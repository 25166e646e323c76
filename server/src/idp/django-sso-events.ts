import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import type { SessionDirectory } from '../session/directory.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { roleOf, userFromAccount, type AccountFields, type DjangoSso } from './django-sso.js';

/** An event a django-sso gateway POSTs to `/sso/event/`, checked (`../shared/django-sso.md`, "Events"). */
export type SsoEvent =
  | { type: 'update_account'; fields: AccountFields & { user_identy: string } }
  | { type: 'deauthenticate' | 'delete_user'; userIdenty: string }
  | { type: 'change_user_identy'; old: string; new: string }
  | { type: 'update_fields'; fields: AccountFields; userIdentities: string[] }
  | { type: 'unknown'; name: string };

const bad = (message: string) => new AppError(400, ErrorCode.BadRequest, message);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIdenty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Checks a parsed body's fields (the token is checked before); throws 400 `porter/bad_request` naming what is missing. */
export function parseSsoEvent(body: Record<string, unknown>): SsoEvent {
  switch (body.type) {
    case 'update_account': {
      if (!isObject(body.fields) || !isIdenty(body.fields.user_identy)) throw bad('update_account needs fields.user_identy');
      return { type: 'update_account', fields: body.fields as AccountFields & { user_identy: string } };
    }
    case 'deauthenticate':
    case 'delete_user':
      if (!isIdenty(body.user_identy)) throw bad(`${body.type} needs user_identy`);
      return { type: body.type, userIdenty: body.user_identy };
    case 'change_user_identy':
      if (!isIdenty(body.old) || !isIdenty(body.new)) throw bad('change_user_identy needs old and new');
      return { type: 'change_user_identy', old: body.old, new: body.new };
    case 'update_fields':
      if (!isObject(body.fields) || !Array.isArray(body.user_identities) || !body.user_identities.every(isIdenty)) {
        throw bad('update_fields needs fields and user_identities');
      }
      return { type: 'update_fields', fields: body.fields, userIdentities: body.user_identities };
    default:
      if (typeof body.type !== 'string') throw bad('the event needs a type');
      return { type: 'unknown', name: body.type };
  }
}

export interface SsoEventDeps {
  sso: DjangoSso;
  sessions: SessionDirectory;
  kv: Kv;
  keys: Keys;
}

/**
 * Applies an event synchronously, before the answer: the account fields first (one SET, which
 * the sign-in that follows `update_account` at once must find), then the user's live sessions,
 * on every instance at once since they live in Redis. Returns how many sessions changed.
 */
export async function applySsoEvent(event: SsoEvent, deps: SsoEventDeps): Promise<number> {
  const { sso, sessions } = deps;
  switch (event.type) {
    case 'update_account':
      await sso.saveAccount(event.fields.user_identy, event.fields);
      return applyAccount(event.fields.user_identy, event.fields, deps);
    case 'deauthenticate':
      return (await sessions.endAllOfUser(event.userIdenty)).sessions;
    case 'delete_user':
      await sso.deleteAccount(event.userIdenty);
      return (await sessions.endAllOfUser(event.userIdenty)).sessions;
    case 'change_user_identy':
      return changeIdenty(event.old, event.new, deps);
    case 'update_fields': {
      let changed = 0;
      for (const identy of event.userIdentities) {
        const fields = { ...(await sso.account(identy)), ...event.fields, user_identy: identy };
        await sso.saveAccount(identy, fields);
        changed += await applyAccount(identy, fields, deps);
      }
      return changed;
    }
    case 'unknown':
      return 0;
  }
}

/** Role, name and e-mail of every live session of the user, from the account fields; an inactive account ends them. */
async function applyAccount(identy: string, fields: AccountFields, { sso, sessions }: SsoEventDeps): Promise<number> {
  if (fields.is_active === false) return (await sessions.endAllOfUser(identy)).sessions;
  const fresh = userFromAccount(identy, fields, sso.config.roleRules);
  const role = roleOf(fields, sso.config.roleRules);
  return (await sessions.updateUser(identy, (user) => ({ ...user, name: fresh.name, email: fresh.email, role, roles: [role] }))).sessions;
}

/**
 * Moves a user to a new identity: the account fields, the index of their sessions and `user.sub`
 * in each live session. Key by key (GET, SET, DEL; ZADD, ZREM), never RENAME, which a Redis
 * Cluster refuses across slots.
 */
async function changeIdenty(old: string, next: string, { sso, sessions, kv, keys }: SsoEventDeps): Promise<number> {
  const fields = await sso.account(old);
  if (fields) {
    await sso.saveAccount(next, { ...fields, user_identy: next });
    await sso.deleteAccount(old);
  }
  const live = await sessions.ofUser(old);
  await sessions.updateUser(old, (user) => ({ ...user, sub: next, preferredUsername: next }));
  for (const { id, data } of live) {
    await sessions.index(id, { ...data, user: { ...data.user, sub: next } });
    await kv.zRem(keys.userSessions(old), id);
  }
  return live.length;
}
