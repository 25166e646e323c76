// A local stand-in for Campus One, the campus OpenID provider, built on oidc-provider.
// The server's tests, the web app's end-to-end tests and `pnpm dev` sign in against it, so it
// copies what Campus One documents: the issuer is a bare origin while every endpoint, discovery
// included, lives under /api/auth; code flow with PKCE S256 only; the same scopes, claims and
// token lifetimes.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { escapeHtml } from '@porter/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import { SignJWT, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import Provider, {
  errors,
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type Grant,
} from 'oidc-provider';

import { academicApiRouter } from './academic-api.js';

export interface CampusOneClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Registered for OpenID Connect Back-Channel Logout 1.0; id_tokens then carry `sid`. */
  backchannelLogoutUri?: string;
}

export interface AcademicClaims {
  student_id: string;
  study_level: string;
  level: number;
  final_year: boolean;
  faculty_id: string;
  department_id: string;
  academic_session: string;
  semester: 'harmattan' | 'rain';
}

export interface SeededAccount {
  /** The handle picked on the sign-in page. */
  id: 'student' | 'staff' | 'admin';
  /** Opaque and stable, like Campus One's: never the student id. */
  sub: string;
  name: string;
  preferredUsername: string;
  phoneNumber: string;
  email: string;
  role: string;
  roles: string[];
  /** The `academic` scope's claims, named as in the tokens. Students only. */
  academic?: AcademicClaims;
}

/** A resource server registered at the provider: it may only introspect tokens (RFC 7662). */
export interface ResourceServerClient {
  clientId: string;
  clientSecret: string;
}

/** Where and as whom a resource server introspects access tokens (RFC 7662 §2). */
export interface IntrospectionEndpoint {
  /** The provider's issuer identifier. */
  issuer: string;
  /** The introspection endpoint, `${issuer}/api/auth/token/introspection`. */
  url: string;
  clientId: string;
  clientSecret: string;
}

/** Development-only credentials of the resource server `pnpm dev` registers: never use them elsewhere. */
export const DEV_RESOURCE_SERVER: ResourceServerClient = Object.freeze({
  clientId: 'campus-api',
  clientSecret: 'campus-api-dev-secret-change-me',
});

export interface StartCampusOneOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The address to listen on. Default 127.0.0.1. */
  host?: string;
  /**
   * The host name in the issuer, when the browser and the app reach the provider by another name
   * than the address it listens on (bound to 0.0.0.0 in a container, reached as 127.0.0.1).
   * Default: `host`.
   */
  issuerHost?: string;
  clients: CampusOneClient[];
  /** The resource server allowed to introspect tokens. Default DEV_RESOURCE_SERVER. */
  resourceServer?: ResourceServerClient;
  /** Default RS256. */
  idTokenAlg?: 'RS256' | 'EdDSA';
}

export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
}

/** Counts of requests that reached the provider since it started; tests compare before and after. */
export interface CampusOneCounters {
  /** Requests to the academic API (`/api/apps/...`), answered or refused. */
  academicApi: number;
  /** `grant_type=refresh_token` requests at the token endpoint, granted or refused. */
  refreshGrants: number;
  /** Requests to the introspection endpoint. */
  introspections: number;
}

export interface CampusOne {
  /** `http://127.0.0.1:<port>`: no path, like https://auth.campusone.com.ng */
  issuer: string;
  /** `${issuer}/api/auth/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** `${issuer}/api/apps`: the academic API (`/faculties`, `/departments`). */
  academicApiUrl: string;
  /** Token introspection for the registered resource server (the dev campus API). */
  introspection: IntrospectionEndpoint;
  accounts: readonly SeededAccount[];
  /** Live counts (the object updates in place). */
  readonly counters: Readonly<CampusOneCounters>;
  /**
   * Lifetime in seconds of access tokens issued from now on; default 3600 (Campus One's 1 h).
   * Tests shorten it to see a token really expire.
   */
  accessTokenTtlSeconds: number;
  /** When set, the academic API answers this HTTP status (an outage) instead of data; null: normal. */
  academicApiFailure: number | null;
  /** The key id_tokens are signed with now (it changes on rotateKeys()). */
  readonly signingKey: SigningKey;
  /** Signs with a fresh key, listed first in the JWKS; earlier keys stay for verification. */
  rotateKeys(): Promise<void>;
  /**
   * Seconds added to the `iat` and `exp` of the id_tokens the token endpoint issues (0 by
   * default), as a provider whose clock runs ahead (or behind) would date them. Tests set it.
   */
  idTokenClockOffsetS: number;
  /** Stops listening and closes keep-alive connections. */
  close(): Promise<void>;
}

export const SEEDED_ACCOUNTS: readonly SeededAccount[] = Object.freeze([
  {
    id: 'student',
    sub: '3f6c2a9e-8d41-4b7a-9e25-61c0d8a4f173',
    name: 'Chiamaka Okonkwo',
    preferredUsername: 'chiamaka.okonkwo',
    phoneNumber: '+2348031234567',
    email: 'chiamaka.okonkwo@students.campus.example',
    role: 'student',
    roles: ['student'],
    academic: {
      student_id: 'CSC/2021/042',
      study_level: 'undergraduate',
      level: 300,
      final_year: false,
      faculty_id: 'faculty-physical-sciences',
      department_id: 'department-computer-science',
      academic_session: '2025/2026',
      semester: 'harmattan',
    },
  },
  {
    id: 'staff',
    sub: '9b1e4d72-5a3c-4f08-b6d9-2e7a0c5f8b14',
    name: 'Ibrahim Musa',
    preferredUsername: 'ibrahim.musa',
    phoneNumber: '+2348059876543',
    email: 'ibrahim.musa@staff.campus.example',
    role: 'staff',
    roles: ['staff'],
  },
  {
    id: 'admin',
    sub: 'c47a8f15-2b6e-4d93-a0f1-8e5d3b7c9a26',
    name: 'Funmilayo Adeyemi',
    preferredUsername: 'funmilayo.adeyemi',
    phoneNumber: '+2348022468135',
    email: 'funmilayo.adeyemi@staff.campus.example',
    role: 'admin',
    roles: ['admin', 'staff'],
  },
]);

const MOUNT_PATH = '/api/auth';
const ACADEMIC_API_PATH = '/api/apps';
/** Relative to MOUNT_PATH. */
const AUTHORIZATION_PATH = '/auth';
/** Relative to MOUNT_PATH (oidc-provider's default). */
const INTROSPECTION_PATH = '/token/introspection';
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export async function startCampusOne(opts: StartCampusOneOptions): Promise<CampusOne> {
  const alg = opts.idTokenAlg ?? 'RS256';
  const host = opts.host ?? '127.0.0.1';

  let keys: [GeneratedKey, ...GeneratedKey[]] = [await generateSigningKey(alg)];
  const adapter = createMemoryAdapter();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const resourceServer = opts.resourceServer ?? DEV_RESOURCE_SERVER;
  const counters: CampusOneCounters = { academicApi: 0, refreshGrants: 0, introspections: 0 };
  const settings = { accessTokenTtlSeconds: HOUR, academicApiFailure: null as number | null };

  const app = express();
  app.disable('x-powered-by');

  // The server must listen before the provider exists (the issuer carries the port), and
  // rotateKeys() replaces the provider, so routes use whichever provider is current.
  let live: { provider: Provider; handle: ReturnType<Provider['callback']> } | undefined;
  const current = (): NonNullable<typeof live> => {
    if (!live) throw new Error('Campus One stand-in is not started');
    return live;
  };

  app.get('/interaction/:uid', async (req, res) => {
    const op = current().provider;
    const details = await op.interactionDetails(req, res);
    const accountId = details.session?.accountId;
    if (details.prompt.name === 'consent' && accountId !== undefined) {
      // Every registered client is first-party: consent is given without asking.
      const grant = await grantCovering(op, details.grantId, accountId, details.params);
      await op.interactionFinished(req, res, { consent: { grantId: grant.jti } });
      return;
    }
    res.type('html').send(signInPage(details.uid, String(details.params['client_id'])));
  });

  app.post(
    '/interaction/:uid/login',
    express.urlencoded({ extended: false, limit: '1kb' }),
    async (req, res) => {
      const op = current().provider;
      const details = await op.interactionDetails(req, res);
      const handle: unknown = req.body?.account;
      const account = SEEDED_ACCOUNTS.find((candidate) => candidate.id === handle);
      const signedInAgo = SIGNED_IN_AGO.find((choice) => String(choice.seconds) === (req.body?.ago ?? '0'));
      if (!account || !signedInAgo) {
        res
          .status(400)
          .type('html')
          .send(signInPage(details.uid, String(details.params['client_id']), 'Choose one of the accounts below.'));
        return;
      }
      // Consent comes with the login, so the browser goes straight back to the client.
      const grant = await grantCovering(op, details.grantId, account.sub, details.params);
      await op.interactionFinished(req, res, {
        // `ts` becomes the session's sign-in time, the id_token's auth_time (OIDC Core §2).
        login: { accountId: account.sub, ts: Math.floor(Date.now() / 1000) - signedInAgo.seconds },
        consent: { grantId: grant.jti },
      });
    },
  );

  app.use(
    ACADEMIC_API_PATH,
    academicApiRouter({
      provider: () => current().provider,
      onCall: () => (counters.academicApi += 1),
      failure: () => settings.academicApiFailure,
    }),
  );

  app.use(MOUNT_PATH, (req, res, next) => {
    // Express has stripped the mount path from req.url and kept it in req.originalUrl, which
    // is how oidc-provider builds endpoint URLs under /api/auth.
    current().handle(req, res).catch(next);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof errors.SessionNotFound) {
      res
        .status(400)
        .type('html')
        .send(page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Go back to the app and sign in again.</p>'));
      return;
    }
    console.error('Campus One stand-in:', error);
    res.status(500).type('html').send(page('Campus One error', '<h1>Something went wrong</h1>'));
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuerHost = opts.issuerHost ?? host;
  const issuer = `http://${issuerHost.includes(':') ? `[${issuerHost}]` : issuerHost}:${port}`;

  const clock = { offsetS: 0 };
  const install = (): void => {
    const provider = createProvider(issuer, {
      alg,
      jwks: keys.map((key) => key.jwk),
      adapter,
      cookieKeys,
      clients: opts.clients,
      resourceServer,
      counters,
      accessTokenTtl: () => settings.accessTokenTtlSeconds,
      clock,
      signingKey: () => keys[0],
    });
    live = { provider, handle: provider.callback() };
  };
  install();

  return {
    issuer,
    discoveryUrl: `${issuer}${MOUNT_PATH}/.well-known/openid-configuration`,
    academicApiUrl: `${issuer}${ACADEMIC_API_PATH}`,
    introspection: { issuer, url: `${issuer}${MOUNT_PATH}${INTROSPECTION_PATH}`, ...resourceServer },
    accounts: SEEDED_ACCOUNTS,
    counters,
    get accessTokenTtlSeconds() {
      return settings.accessTokenTtlSeconds;
    },
    set accessTokenTtlSeconds(seconds: number) {
      settings.accessTokenTtlSeconds = seconds;
    },
    get academicApiFailure() {
      return settings.academicApiFailure;
    },
    set academicApiFailure(status: number | null) {
      settings.academicApiFailure = status;
    },
    get signingKey(): SigningKey {
      const { alg: keyAlg, kid, privateKey } = keys[0];
      return { alg: keyAlg, kid, privateKey };
    },
    get idTokenClockOffsetS() {
      return clock.offsetS;
    },
    set idTokenClockOffsetS(seconds: number) {
      clock.offsetS = seconds;
    },
    async rotateKeys() {
      keys = [await generateSigningKey(alg), ...keys];
      // oidc-provider reads its keys once, at construction. A new provider over the same
      // storage and cookie keys keeps every session, grant and token alive.
      install();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface ProviderSetup {
  alg: 'RS256' | 'EdDSA';
  jwks: JWK[];
  adapter: (model: string) => Adapter;
  cookieKeys: string[];
  clients: CampusOneClient[];
  resourceServer: ResourceServerClient;
  counters: CampusOneCounters;
  /** Seconds, read at each issuance. */
  accessTokenTtl: () => number;
  /** See `CampusOne.idTokenClockOffsetS`. */
  clock: { offsetS: number };
  signingKey: () => SigningKey;
}

function createProvider(issuer: string, setup: ProviderSetup): Provider {
  const configuration: Configuration = {
    adapter: setup.adapter,
    jwks: { keys: setup.jwks },
    clients: [
      ...setup.clients.map((client) => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        post_logout_redirect_uris: client.postLogoutRedirectUris,
        // refresh_token must be allowed or oidc-provider silently drops offline_access.
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Every id_token says when the person signed in (OIDC Core §2), not only those asked with
        // max_age or prompt=login: Porter's step-up for admin actions reads it.
        require_auth_time: true,
        ...(client.backchannelLogoutUri === undefined
          ? {}
          : { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }),
      })),
      // A resource server: no grants, no redirects; it authenticates only to introspect.
      {
        client_id: setup.resourceServer.clientId,
        client_secret: setup.resourceServer.clientSecret,
        redirect_uris: [],
        grant_types: [],
        response_types: [],
      },
    ],
    clientDefaults: { id_token_signed_response_alg: setup.alg },
    enabledJWA: { idTokenSigningAlgValues: [setup.alg] },
    routes: { authorization: AUTHORIZATION_PATH },
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Either way of sending the secret is accepted whichever one a client registered.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    scopes: ['openid', 'offline_access', 'calendar', 'notifications', 'events'],
    claims: {
      openid: ['sub', 'role'],
      profile: ['name', 'preferred_username', 'phone_number'],
      email: ['email', 'email_verified'],
      academic: [
        'student_id',
        'study_level',
        'level',
        'final_year',
        'faculty_id',
        'department_id',
        'academic_session',
        'semester',
      ],
      roles: ['roles'],
    },
    // Campus One puts the scopes' claims (role above all) in the id_token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => {
      const account = SEEDED_ACCOUNTS.find((candidate) => candidate.sub === sub);
      return account && { accountId: account.sub, claims: async () => claimsOf(account) };
    },
    loadExistingGrant: async (ctx) => {
      const { session, client, result, params } = ctx.oidc;
      if (session?.accountId === undefined || !client) return undefined;
      return grantCovering(
        ctx.oidc.provider,
        result?.consent?.grantId ?? session.grantIdFor(client.clientId),
        session.accountId,
        params,
      );
    },
    // Every refresh returns a new refresh token: the app must keep the newest, since replaying
    // a used one revokes the whole grant.
    rotateRefreshToken: true,
    ttl: {
      AuthorizationCode: 10 * MINUTE,
      IdToken: HOUR,
      AccessToken: setup.accessTokenTtl,
      RefreshToken: 7 * DAY,
      Session: DAY,
      Interaction: HOUR,
      // Bounds how long a chain of rotated refresh tokens can last.
      Grant: 14 * DAY,
    },
    cookies: {
      keys: setup.cookieKeys,
      // Cookies ignore ports: on 127.0.0.1 the app's cookies and these share one jar.
      names: {
        session: 'campus_one_session',
        interaction: 'campus_one_interaction',
        resume: 'campus_one_resume',
      },
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      dPoP: { enabled: false },
      // Access tokens are opaque, as Campus One's are: a resource server learns what one means
      // by asking (RFC 7662). Only the registered resource server, or the token's own client, may.
      introspection: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) =>
          client.clientId === setup.resourceServer.clientId || client.clientId === token.clientId,
      },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // A valid id_token_hint proves which app asks, so the confirmation submits itself
          // and a browser lands straight on the post_logout_redirect_uri.
          const confirmed = ctx.oidc.entities.IdTokenHint !== undefined;
          ctx.body = page(
            'Sign out of Campus One',
            `<h1>Sign out of Campus One?</h1>${form}` +
              '<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>' +
              (confirmed ? '<script>document.getElementById("sign-out").click()</script>' : ''),
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>You have signed out of Campus One</h1>');
        },
      },
    },
    // Back-channel logout POSTs go to the apps on loopback, which oidc-provider's SSRF guard
    // refuses; this stand-in talks to loopback and nothing else.
    fetch: async (url, options) => {
      if (!LOOPBACK_HOSTS.has(new URL(url).hostname)) {
        throw new Error(`Campus One stand-in only calls loopback addresses, not ${url}`);
      }
      const init: RequestInit & { dispatcher?: unknown } = { ...options };
      delete init.dispatcher;
      return fetch(url, init);
    },
    // Only the app's server calls the token and userinfo endpoints, never a browser script.
    clientBasedCORS: () => false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Campus One error',
        `<h1>Campus One could not sign you in</h1>${Object.entries(out)
          .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
          .join('')}`,
      );
    },
  };

  const created = new Provider(issuer, configuration);
  // Following OpenID Connect Core §11, oidc-provider drops offline_access unless prompt has
  // consent, while Campus One ties refresh tokens to offline_access alone. Consent is automatic
  // here, so a GET authorization request with offline_access and no prompt is made to ask for
  // it, alongside any other prompt (a step-up's prompt=login keeps its refresh token). prompt=none
  // cannot be combined with consent: silent sign-ins get no refresh token.
  created.use(async (ctx, next) => {
    const { scope, prompt } = ctx.query;
    const prompts = typeof prompt === 'string' ? prompt.split(' ').filter(Boolean) : [];
    if (
      ctx.method === 'GET' &&
      ctx.path === AUTHORIZATION_PATH &&
      (prompt === undefined || typeof prompt === 'string') &&
      !prompts.includes('none') &&
      !prompts.includes('consent') &&
      typeof scope === 'string' &&
      scope.split(' ').includes('offline_access')
    ) {
      ctx.query = { ...ctx.query, prompt: [...prompts, 'consent'].join(' ') };
    }
    await next();
  });
  // Counted after the endpoint answered, so refused requests count too (a second refresh with a
  // rotated token is exactly what single-flight tests look for).
  created.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === 'token' && ctx.oidc?.params?.['grant_type'] === 'refresh_token') setup.counters.refreshGrants += 1;
    if (route === 'introspection') setup.counters.introspections += 1;
  });
  // oidc-provider dates tokens by the system clock, which a test cannot move for it alone: an
  // id_token from a clock running ahead or behind is the same token, re-dated and signed again.
  created.use(async (ctx, next) => {
    await next();
    const body: unknown = ctx.body;
    if (setup.clock.offsetS === 0 || ctx.oidc?.route !== 'token') return;
    if (typeof body !== 'object' || body === null || !('id_token' in body) || typeof body.id_token !== 'string') return;
    ctx.body = { ...body, id_token: await redate(body.id_token, setup.clock.offsetS, setup.signingKey()) };
  });
  // Expected OAuth errors (login_required, invalid_grant...) go back to the client; only
  // failures of the stand-in itself are worth a line on stderr.
  created.on('server_error', (_ctx, error) => console.error('Campus One stand-in:', error));
  created.on('backchannel.error', (_ctx, error, client) =>
    console.error(`Campus One stand-in: back-channel logout to ${client.backchannelLogoutUri} failed: ${error.message}`),
  );
  return created;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `token` with its `iat` and `exp` moved by `offsetS` seconds, signed again with `key`. */
async function redate(token: string, offsetS: number, key: SigningKey): Promise<string> {
  const claims = decodeJwt(token);
  const header = decodeProtectedHeader(token);
  return new SignJWT({ ...claims, iat: (claims.iat ?? 0) + offsetS, exp: (claims.exp ?? 0) + offsetS })
    .setProtectedHeader({ ...header, alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
}

/** Finds the grant (or makes one) and makes it cover the request: first-party clients never ask. */
async function grantCovering(
  provider: Provider,
  grantId: string | undefined,
  accountId: string,
  params: Record<string, unknown>,
): Promise<Grant> {
  const clientId = String(params['client_id']);
  const found = grantId === undefined ? undefined : await provider.Grant.find(grantId);
  // A grant of the account that was signed in before does not carry over to another one.
  const grant =
    found?.accountId === accountId && found.clientId === clientId
      ? found
      : new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(typeof params['scope'] === 'string' ? params['scope'] : 'openid');
  await grant.save();
  return grant;
}

function claimsOf(account: SeededAccount): Record<string, unknown> {
  // Every claim of the account: oidc-provider keeps the ones the granted scopes allow.
  return {
    sub: account.sub,
    role: account.role,
    name: account.name,
    preferred_username: account.preferredUsername,
    phone_number: account.phoneNumber,
    email: account.email,
    email_verified: true,
    roles: account.roles,
    ...account.academic,
  };
}

interface GeneratedKey extends SigningKey {
  jwk: JWK;
}

async function generateSigningKey(alg: 'RS256' | 'EdDSA'): Promise<GeneratedKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { alg, kid, privateKey, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * oidc-provider's own in-memory adapter warns on every start and is not a public export.
 * Expired entries are dropped when read; a dev process never holds many.
 */
function createMemoryAdapter(): (model: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const read = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  };
  return (model) => {
    const keyFor = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000;
        entries.set(keyFor(id), { payload, expiresAt });
      },
      async find(id) {
        return read(keyFor(id));
      },
      async findByUid(uid) {
        for (const [key, { payload }] of entries) {
          if (key.startsWith(`${model}:`) && payload.uid === uid) return read(key);
        }
        return undefined;
      },
      async consume(id) {
        const payload = read(keyFor(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyFor(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, { payload }] of entries) {
          if (payload.grantId === grantId) entries.delete(key);
        }
      },
    };
  };
}

/**
 * When the person signed in, as the sign-in page offers it: "now", or earlier, as a Campus One
 * session kept from before would say. An earlier sign-in lets a developer (and the tests) see
 * Porter ask an admin to sign in again without waiting, and see it refuse an `auth_time` older
 * than its step-up request asked for.
 */
const SIGNED_IN_AGO = [
  { seconds: 0, label: 'now' },
  { seconds: 15 * MINUTE, label: '15 minutes ago' },
  { seconds: HOUR, label: 'an hour ago' },
] as const;

function signInPage(uid: string, clientId: string, problem?: string): string {
  const ago = SIGNED_IN_AGO.map((choice) => `<option value="${choice.seconds}">${escapeHtml(choice.label)}</option>`).join('');
  const buttons = SEEDED_ACCOUNTS.map(
    (account) =>
      `<li><button type="submit" name="account" value="${escapeHtml(account.id)}">` +
      `Sign in as ${escapeHtml(account.name)} (${escapeHtml(account.role)})</button></li>`,
  ).join('');
  return page(
    'Sign in to Campus One',
    '<h1>Sign in to Campus One</h1>' +
      `<p>to continue to <strong>${escapeHtml(clientId)}</strong>. This is the local stand-in: pick an account.</p>` +
      (problem === undefined ? '' : `<p role="alert">${escapeHtml(problem)}</p>`) +
      `<form method="post" action="/interaction/${encodeURIComponent(uid)}/login"><ul>${buttons}</ul>` +
      `<p><label>Signed in <select name="ago">${ago}</select></label> (auth_time)</p></form>`,
  );
}

function page(title: string, body: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`
  );
}
