// Runs the local django-sso gateway (server/dev/django-sso-gateway.ts) in a process of its own,
// for the web app's end-to-end tests: Porter's second identity provider, stopped by pid.
// Started by stack.ts as `node --import tsx django-sso-gateway.mjs '<options JSON>'` from server/,
// whose tsx compiles the TypeScript; the options are startDjangoSsoGateway's (JSON-able ones).
// Prints one JSON line: the gateway's SSO root and its accounts.
const { startDjangoSsoGateway } = await import('../../../server/dev/django-sso-gateway.ts');

const gateway = await startDjangoSsoGateway(JSON.parse(process.argv[2] ?? '{}'));
const users = gateway.users.map((user) => ({ id: user.id, identy: user.identy, name: user.name }));
console.log(JSON.stringify({ url: gateway.url, users }));

const stop = () => gateway.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
