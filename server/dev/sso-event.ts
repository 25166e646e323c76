// `pnpm sso:event <type> --user <student|staff|admin|identy> ...`: sends one django-sso gateway
// event to a running service's `/sso/event/`, as the gateway would (its token in the body, a
// 0.1 s timeout, no retry), so a role change or a sign-out can be watched reaching the open
// app. It changes nothing on any gateway: the next sign-in sends the account's own fields again.

import { parseCommandLine } from './cli.js';
import { DEFAULT_EVENT_TIMEOUT_MS, EVENT_PATH, SSO_EVENT_TYPES, deliverSsoEvent, ssoEvent, type SsoEvent, type UnknownSsoEvent } from './django-sso-events.js';
import { DEV_SSO_SERVICE_TOKEN, SEEDED_SSO_USERS, accountFields, type GatewayUser } from './django-sso-gateway.js';

const DEFAULT_URL = 'http://127.0.0.1:4000';

const USAGE = `Usage: pnpm sso:event <type> --user <student|staff|admin|identy> [options]

Types, as a django-sso 3.x gateway sends them:
  update_account       the account's fields; change some with
                       [--is-active true|false] [--is-staff true|false] [--is-superuser true|false]
                       [--name <name>] [--email <email>]
  deauthenticate       the user signed out somewhere
  delete_user          the user was deleted on the gateway
  change_user_identy   --new <identy>: the user's identity changed (old: --user's)
  update_fields        --field <name>=<value> (repeatable) for every --user (repeatable)
Any other type is sent too, with the user's user_identy (a service answers 200 and ignores it).

Options:
  --url <base url>     the service's base URL; the event goes to <url>${EVENT_PATH} (default ${DEFAULT_URL})
  --timeout-ms <ms>    give up after this long, as the gateway does (default ${DEFAULT_EVENT_TIMEOUT_MS})
Environment:
  DJANGO_SSO_SERVICE_TOKEN   the service's token (default: the one \`pnpm dev:django-sso\` uses)

Example: pnpm sso:event update_account --user student --is-staff true`;

const cli = parseCommandLine(USAGE, {
  allowPositionals: true,
  options: {
    user: { type: 'string', multiple: true },
    'is-active': { type: 'string' },
    'is-staff': { type: 'string' },
    'is-superuser': { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    new: { type: 'string' },
    field: { type: 'string', multiple: true },
    url: { type: 'string', default: DEFAULT_URL },
    'timeout-ms': { type: 'string', default: String(DEFAULT_EVENT_TIMEOUT_MS) },
    help: { type: 'boolean', short: 'h' },
  },
});
const { values, positionals } = cli;
// Annotated, so that TypeScript narrows after a call that never returns.
const fail: (message: string) => never = cli.fail;
const [type, ...extra] = positionals;
if (!type || extra.length > 0) fail('Give exactly one event type.');
const handles = values.user ?? [];
if (handles.length === 0) fail('--user is required: student, staff, admin, or an identy.');
if (handles.length > 1 && type !== 'update_fields') fail('Only update_fields takes several --user.');
const timeoutMs = Number(values['timeout-ms']);
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) fail('--timeout-ms must be a positive number of milliseconds.');

/** A seeded account by handle or identy; any other identy stands for an account seeded nowhere. */
function userOf(handle: string): GatewayUser {
  const seeded = SEEDED_SSO_USERS.find((user) => user.id === handle || user.identy === handle);
  return seeded ? { ...seeded } : { id: handle, identy: handle, isActive: true, isStaff: false, isSuperuser: false, name: handle, email: '' };
}

function flag(option: 'is-active' | 'is-staff' | 'is-superuser'): boolean | undefined {
  const value = values[option];
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') fail(`--${option} must be true or false.`);
  return value === 'true';
}

const token = process.env.DJANGO_SSO_SERVICE_TOKEN ?? DEV_SSO_SERVICE_TOKEN;
const user = userOf(handles[0] ?? '');
let event: SsoEvent | UnknownSsoEvent;
switch (type) {
  case 'update_account': {
    const changes = { isActive: flag('is-active'), isStaff: flag('is-staff'), isSuperuser: flag('is-superuser'), name: values.name, email: values.email };
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) Object.assign(user, { [key]: value });
    event = ssoEvent('update_account', token, { fields: accountFields(user) });
    break;
  }
  case 'deauthenticate':
  case 'delete_user':
    event = ssoEvent(type, token, { user_identy: user.identy });
    break;
  case 'change_user_identy':
    if (!values.new) fail('change_user_identy needs --new <identy>.');
    event = ssoEvent('change_user_identy', token, { old: user.identy, new: values.new });
    break;
  case 'update_fields': {
    const fields: Record<string, string> = {};
    for (const pair of values.field ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) fail(`--field takes <name>=<value>, not "${pair}".`);
      fields[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    if (Object.keys(fields).length === 0) fail('update_fields needs at least one --field <name>=<value>.');
    event = ssoEvent('update_fields', token, { fields, user_identities: handles.map((handle) => userOf(handle).identy) });
    break;
  }
  default:
    if (!(SSO_EVENT_TYPES as readonly string[]).includes(type)) console.log(`(${type} is no type the gateway sends; sending it anyway.)`);
    event = { type, token, user_identy: user.identy };
}

// The token is the service's only credential: never print it.
console.log(`→ POST ${values.url.replace(/\/+$/, '')}${EVENT_PATH}\n${JSON.stringify({ ...event, token: '<DJANGO_SSO_SERVICE_TOKEN>' }, null, 2)}`);
const delivery = await deliverSsoEvent(values.url, event, timeoutMs);
const took = `${delivery.endedAt - delivery.startedAt} ms`;
if (delivery.status === undefined) {
  console.error(`✗ ${delivery.detail} (${took}). Is the service running at ${values.url}?`);
  process.exit(1);
}
console.log(`← ${delivery.status} ${delivery.detail} (${took})`);
console.log(delivery.accepted ? '✓ accepted, as the gateway counts it' : '✗ not accepted: the gateway would log this and forget the event');
process.exit(delivery.accepted ? 0 : 1);
