// The local Campus One alone, for the `dev` profile of docker-compose.yml (`pnpm dev` starts it
// through start.ts instead). It listens on every interface of its container and names itself
// http://127.0.0.1:4010, as in `pnpm dev`: the browser reaches it there through the published
// port, and the server, which shares this container's network namespace, reaches the very same
// URL over loopback (the issuer must be one string for both). Porter is registered as in
// `pnpm dev`.
import { startCampusOne } from './campus-one.js';
import { devClient } from './dev-values.js';

const appUrl = process.env.APP_URL ?? 'http://localhost:3000';
// Back-channel logout goes to the server over the shared loopback, as in `pnpm dev`.
const serverUrl = 'http://127.0.0.1:4000';

const campusOne = await startCampusOne({
  host: '0.0.0.0',
  issuerHost: '127.0.0.1',
  port: 4010,
  clients: [devClient(appUrl, serverUrl)],
});
console.log(`Local Campus One: issuer ${campusOne.issuer}, discovery ${campusOne.discoveryUrl}, for ${appUrl}`);
console.log(`Accounts: ${campusOne.accounts.map((account) => `${account.id} (${account.name})`).join(', ')}`);

const stop = () => campusOne.close().then(() => process.exit(0));
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
