// oidc-provider ships no types and @types/oidc-provider is not installed: this declares only
// the surface dev/campus-one.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { JWK } from 'jose';

  export interface AdapterPayload {
    [key: string]: unknown;
    uid?: string;
    grantId?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }

  export interface Grant {
    readonly jti: string;
    accountId: string;
    clientId: string;
    readonly isExpired: boolean;
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantModel {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string, options?: { ignoreExpiration?: boolean }): Promise<Grant | undefined>;
  }

  export interface AccessToken {
    accountId: string;
    clientId: string;
    grantId: string;
    /** Seconds since the epoch. */
    exp: number;
    readonly isValid: boolean;
    readonly scopes: Set<string>;
  }

  export interface AccessTokenModel {
    /** Undefined for an unknown or expired token. */
    find(value: string): Promise<AccessToken | undefined>;
  }

  export interface Client {
    clientId: string;
    clientAuthMethod: string;
    backchannelLogoutUri?: string;
  }

  export interface OIDCContext {
    provider: Provider;
    client?: Client;
    session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    params: Record<string, unknown>;
    entities: { IdTokenHint?: unknown };
  }

  /** Koa's context, as the provider's own middleware (`provider.use`) sees it. */
  export interface KoaContext {
    readonly method: string;
    readonly path: string;
    query: Record<string, string | string[] | undefined>;
    /** Set once routing has begun; `route` names the endpoint (`token`, `introspection`...). */
    oidc?: { route?: string; params?: Record<string, unknown> };
    /** The response body a middleware may replace once the endpoint has set it. */
    body: unknown;
  }

  export interface KoaContextWithOIDC {
    body: unknown;
    type: string;
    oidc: OIDCContext;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret: string;
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    grant_types: string[];
    response_types: string[];
    backchannel_logout_uri?: string;
    backchannel_logout_session_required?: boolean;
    /** Every id_token carries `auth_time`, asked for or not. */
    require_auth_time?: boolean;
  }

  export interface Configuration {
    adapter: (model: string) => Adapter;
    clients: ClientMetadata[];
    clientDefaults: Record<string, unknown>;
    clientAuthMethods: string[];
    clientBasedCORS: () => boolean;
    claims: Record<string, string[]>;
    conformIdTokenClaims: boolean;
    cookies: {
      keys: string[];
      names: { session: string; interaction: string; resume: string };
    };
    enabledJWA: { idTokenSigningAlgValues: string[] };
    features: {
      backchannelLogout: { enabled: boolean };
      devInteractions: { enabled: boolean };
      dPoP: { enabled: boolean };
      introspection: {
        enabled: boolean;
        /** Whether `client` may learn about `token` (RFC 7662 §4). */
        allowedPolicy: (ctx: KoaContextWithOIDC, client: Client, token: AccessToken) => Promise<boolean>;
      };
      pushedAuthorizationRequests: { enabled: boolean };
      rpInitiatedLogout: {
        enabled: boolean;
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => Promise<void>;
      };
    };
    fetch: (url: string, options: RequestInit) => Promise<Response>;
    findAccount: (ctx: KoaContextWithOIDC, sub: string) => Promise<Account | undefined>;
    interactions: { url: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => Promise<string> };
    jwks: { keys: JWK[] };
    loadExistingGrant: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    pkce: { required: () => boolean };
    renderError: (
      ctx: KoaContextWithOIDC,
      out: Record<string, string>,
      error: Error,
    ) => Promise<void>;
    responseTypes: string[];
    routes: { authorization: string };
    rotateRefreshToken: boolean;
    scopes: string[];
    /** Seconds, or a function answering seconds when each token is issued. */
    ttl: Record<string, number | (() => number)>;
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string };
    params: Record<string, unknown>;
    session?: { accountId: string };
    grantId?: string;
  }

  export interface InteractionResults {
    /** `ts`: when the person signed in, in seconds since the epoch (default now); the id_token's `auth_time`. */
    login?: { accountId: string; ts?: number };
    consent?: { grantId: string };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly Grant: GrantModel;
    readonly AccessToken: AccessTokenModel;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
    ): Promise<void>;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
    on(
      event: 'backchannel.error',
      listener: (ctx: KoaContextWithOIDC, error: Error, client: Client) => void,
    ): this;
  }

  export const errors: {
    SessionNotFound: new (...args: never[]) => Error;
  };
}
