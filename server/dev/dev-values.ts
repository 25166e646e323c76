// The development-only client and secrets that `pnpm dev` and the Compose `dev` profile share,
// printed in the README: never use them anywhere else.
import type { CampusOneClient } from './campus-one.js';

export const DEV = {
  clientId: 'porter-dev',
  clientSecret: 'porter-dev-secret-change-me',
  sessionSecret: 'porter-dev-session-secret-change-me-0123456789',
  webhookSecret: 'dev-webhook-secret-change-me',
} as const;

/**
 * Porter's registration at the local Campus One. `appUrl` is the web app's origin as the browser
 * sees it; `serverUrl` the server's origin as Campus One reaches it, server to server, for
 * back-channel logout (not through the web app).
 */
export function devClient(appUrl: string, serverUrl: string): CampusOneClient {
  return {
    clientId: DEV.clientId,
    clientSecret: DEV.clientSecret,
    redirectUris: [`${appUrl}/auth/callback`],
    postLogoutRedirectUris: [`${appUrl}/`],
    backchannelLogoutUri: `${serverUrl}/auth/backchannel-logout`,
  };
}
