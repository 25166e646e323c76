// `pnpm webhook:send <event> --user <sub|student|staff|admin> [--role <role>] ...`: signs a
// Campus One webhook and posts it to a running server, so a role change can be watched reaching
// the open dashboard during `pnpm dev`.
import { parseCommandLine } from './cli.js';
import { SEEDED_ACCOUNTS } from './campus-one.js';
import { DEV } from './dev-values.js';
import { deliverWebhook, webhookEvent } from './webhooks.js';

const DEFAULT_URL = 'http://127.0.0.1:4000/webhooks/campus-one';

const USAGE = `Usage: pnpm webhook:send <event> --user <sub|student|staff|admin> [options]

Events Porter acts on:
  user.role_changed   --role <new role> [--previous-role <role>]
  user.updated        [--name <name>] [--email <email>]
  user.deleted, user.disconnected, session.revoked, session.signed_out
Any other event name is sent too (Porter answers 200 and ignores it).

Options:
  --url <url>   where to post (default ${DEFAULT_URL})
Environment:
  CAMPUS_ONE_WEBHOOK_SECRET   the signing secret (default: the one \`pnpm dev\` uses);
                              with several, comma-separated, the first signs

Example: pnpm webhook:send user.role_changed --user student --role staff`;

const cli = parseCommandLine(USAGE, {
  allowPositionals: true,
  options: {
    user: { type: 'string' },
    role: { type: 'string' },
    'previous-role': { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    url: { type: 'string', default: DEFAULT_URL },
    help: { type: 'boolean', short: 'h' },
  },
});
const { values, positionals } = cli;
// Annotated, so that TypeScript narrows after a call that never returns.
const fail: (message: string) => never = cli.fail;
const [event, ...extra] = positionals;
if (!event || extra.length > 0) fail('Give exactly one event name.');
if (!values.user) fail('--user is required: a Campus One sub, or student, staff or admin.');
const account = SEEDED_ACCOUNTS.find((a) => a.id === values.user || a.sub === values.user);
const sub = account?.sub ?? values.user;

const data: Record<string, unknown> = { user_id: sub, ...(account ? { email: account.email } : {}) };
if (event === 'user.role_changed') {
  if (!values.role) fail('user.role_changed needs --role <new role>.');
  data.new_role = values.role;
  data.previous_role = values['previous-role'] ?? account?.role ?? null;
}
if (event === 'user.updated') {
  if (values.name) data.name = values.name;
  if (values.email) data.email = values.email;
}

const secret = (process.env.CAMPUS_ONE_WEBHOOK_SECRET ?? DEV.webhookSecret).split(',')[0]?.trim() || DEV.webhookSecret;
const payload = webhookEvent(event, data);
console.log(`→ POST ${values.url}\n${JSON.stringify(payload, null, 2)}`);
try {
  const response = await deliverWebhook(values.url, secret, payload);
  console.log(`← ${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
} catch (err) {
  console.error(`Could not reach ${values.url}: ${err instanceof Error ? err.message : String(err)}. Is \`pnpm dev\` running?`);
  process.exit(1);
}
