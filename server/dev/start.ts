// `pnpm dev`: Porter with no configuration. Starts the local Campus One (unless the Campus One
// variables point at a real one) with the campus API behind it, the server with live reload, and
// the web app, wired together, then prints where to go and who to sign in as. Ctrl-C stops
// everything.
//
// `pnpm dev:django-sso` (`--django-sso`): the same, but people sign in through the local
// django-sso gateway (dev/django-sso-gateway.ts), with Porter registered there as a service at
// APP_URL. Campus One still runs: /readyz checks it and the campus API is behind it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCampusApi, type CampusApi } from './campus-api.js';
import { SEEDED_ACCOUNTS, startCampusOne, type CampusOne } from './campus-one.js';
import { DEV, devClient } from './dev-values.js';
import { DEV_SSO_SERVICE_TOKEN, SEEDED_SSO_USERS, startDjangoSsoGateway, type DjangoSsoGateway } from './django-sso-gateway.js';

const env = process.env;
const WEB_PORT = Number(env.WEB_PORT ?? 3000);
const SERVER_PORT = Number(env.PORT ?? 4000);
const CAMPUS_ONE_PORT = Number(env.CAMPUS_ONE_PORT ?? 4010);
const CAMPUS_API_PORT = Number(env.CAMPUS_API_PORT ?? 4020);
const GATEWAY_PORT = Number(env.DJANGO_SSO_GATEWAY_PORT ?? 4030);
const withDjangoSso = process.argv.includes('--django-sso');
const APP_URL = env.APP_URL ?? `http://localhost:${WEB_PORT}`;
const SERVER_URL = `http://127.0.0.1:${SERVER_PORT}`;

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
let campusOne: CampusOne | null = null;
let campusApi: CampusApi | null = null;
let gateway: DjangoSsoGateway | null = null;

function run(name: string, command: string, args: string[], cwd: string, extraEnv: Record<string, string>) {
  const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} stopped (${signal ?? code}); stopping the rest.`);
      void stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await gateway?.close();
  await campusApi?.close();
  await campusOne?.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const usesRealCampusOne = Boolean(env.CAMPUS_ONE_CLIENT_ID);
let campusOneEnv: Record<string, string> = {};
if (!usesRealCampusOne) {
  campusOne = await startCampusOne({
    port: CAMPUS_ONE_PORT,
    clients: [devClient(APP_URL, SERVER_URL)],
  });
  campusOneEnv = {
    CAMPUS_ONE_ISSUER: campusOne.issuer,
    CAMPUS_ONE_DISCOVERY_URL: campusOne.discoveryUrl,
    CAMPUS_ONE_CLIENT_ID: DEV.clientId,
    CAMPUS_ONE_CLIENT_SECRET: DEV.clientSecret,
  };
  // The campus's own backend checks tokens by introspection at the local Campus One, which a
  // real Campus One does not document: with a real one, bring your own API.
  campusApi = await startCampusApi({ introspection: campusOne.introspection, port: CAMPUS_API_PORT });
}
// The BFF's API proxy routes (PORTER_API_ROUTES, `<prefix>=<upstream>` pairs, comma-separated).
const apiRoutes = env.PORTER_API_ROUTES ?? (campusApi ? `/api/campus=${campusApi.url}` : undefined);

let gatewayEnv: Record<string, string> = {};
if (withDjangoSso) {
  const serviceToken = env.DJANGO_SSO_SERVICE_TOKEN ?? DEV_SSO_SERVICE_TOKEN;
  // Porter's base URL is the web app's: the gateway sends the browser to APP_URL/sso/accept/ and
  // its events to APP_URL/sso/event/, which the web app hands to the server.
  gateway = await startDjangoSsoGateway({ port: GATEWAY_PORT, services: [{ token: serviceToken, baseUrl: APP_URL, name: 'Porter' }] });
  gatewayEnv = { PORTER_IDENTITY_PROVIDER: 'django-sso', DJANGO_SSO_GATEWAY_URL: gateway.url, DJANGO_SSO_SERVICE_TOKEN: serviceToken };
}

run('server', 'pnpm', ['exec', 'tsx', 'watch', '--clear-screen=false', '--conditions=@porter/source', 'src/main.ts'], `${root}server`, {
  APP_URL,
  PORT: String(SERVER_PORT),
  SESSION_SECRET: env.SESSION_SECRET ?? DEV.sessionSecret,
  CAMPUS_ONE_WEBHOOK_SECRET: env.CAMPUS_ONE_WEBHOOK_SECRET ?? DEV.webhookSecret,
  ...campusOneEnv,
  ...gatewayEnv,
  ...(apiRoutes === undefined ? {} : { PORTER_API_ROUTES: apiRoutes }),
});

const webReady = existsSync(`${root}web/app`);
if (webReady) {
  run('web', 'pnpm', ['--filter', '@porter/web', 'dev', '--port', String(WEB_PORT), '--hostname', new URL(APP_URL).hostname], root, {
    BFF_URL: SERVER_URL,
    NEXT_TELEMETRY_DISABLED: '1',
  });
}

const accounts = SEEDED_ACCOUNTS.map((a) => `    ${a.id.padEnd(8)} ${a.name} (${a.role}; sub ${a.sub})`).join('\n');
const gatewayAccounts = SEEDED_SSO_USERS.map(
  (u) => `    ${u.id.padEnd(8)} ${u.name} (user_identy ${u.identy}; is_staff ${String(u.isStaff)}, is_superuser ${String(u.isSuperuser)})`,
).join('\n');
const signIn = gateway
  ? `
  Accounts at the local django-sso gateway (pick one on its sign-in page):
${gatewayAccounts}
`
  : campusOne
    ? `
  Accounts at the local Campus One (pick one on its sign-in page):
${accounts}
`
    : '';
console.log(`
  Porter is starting.

  Open            ${webReady ? APP_URL : `${SERVER_URL}/auth/login (the web app is not built yet)`}
  Server (BFF)    ${SERVER_URL}        health: ${SERVER_URL}/readyz
  Campus One      ${campusOne ? `${campusOne.issuer}  (local stand-in; discovery ${campusOne.discoveryUrl})` : `${env.CAMPUS_ONE_ISSUER ?? 'https://auth.campusone.com.ng'} (real)`}
${gateway ? `  django-sso      ${gateway.url}  (local gateway; Porter's service token: DJANGO_SSO_SERVICE_TOKEN)
` : ''}  Campus API      ${campusApi ? `${campusApi.url}  (local stand-in; PORTER_API_ROUTES=${apiRoutes ?? ""})` : 'none (set PORTER_API_ROUTES)'}
  Sessions        ${env.REDIS_URL ? `Redis at ${env.REDIS_URL.replace(/\/\/[^@]*@/, '//***@')}` : 'in memory (set REDIS_URL to use Redis)'}
${signIn}
  ${gateway ? `Events          pnpm sso:event update_account --user student --is-staff true${SERVER_PORT === 4000 ? '' : ` --url ${SERVER_URL}`}` : 'Webhooks        pnpm webhook:send user.role_changed --user student --role staff'}
  Stop            Ctrl-C
`);
