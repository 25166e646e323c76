import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '@porter/shared';
import { z } from 'zod';

/**
 * The server's whole configuration, parsed once from the environment. Nothing else reads
 * `process.env`. Every problem is reported at once, each naming the variable.
 */
export interface Config {
  readonly production: boolean;
  /** Public origin of the web app, as the browser sees it (no trailing slash). */
  readonly appUrl: string;
  readonly host: string;
  readonly port: number;
  /** Who signs people in: Campus One (OpenID Connect) or a django-sso 3.x gateway. */
  readonly identityProvider: IdentityProviderName;
  /** The django-sso gateway; `null` unless `identityProvider` is `django-sso`. */
  readonly djangoSso: DjangoSsoConfig | null;
  readonly campusOne: {
    readonly issuer: string;
    readonly discoveryUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scopes: string;
    /** Pins the id_token algorithm; `null` accepts what discovery advertises (never `none`). */
    readonly idTokenAlg: string | null;
    /** True for an http:// issuer on loopback, allowed outside production only. */
    readonly insecureHttp: boolean;
    readonly timeoutMs: number;
    /**
     * How far Campus One's clock may be from Porter's, in seconds: the allowance for the
     * timestamps of id_tokens and logout tokens (`exp`, `nbf`, and `iat` in the future).
     */
    readonly clockToleranceS: number;
    /** Base of Campus One's App API (`/faculties`, `/departments`); by default `${issuer}/api/apps`. */
    readonly apiUrl: string;
    /** Webhook HMAC keys, newest first; empty when webhooks are not configured. */
    readonly webhookSecrets: readonly string[];
    /** Webhook events dated earlier than this (by `occurredAt`) are refused as replays. */
    readonly webhookMaxAgeMs: number;
  };
  readonly session: {
    /** Signing keys, newest first: the first signs, all verify. */
    readonly secrets: readonly string[];
    /** True when SESSION_SECRET was not set and a random secret was made (development only): sessions end at restart. */
    readonly secretGenerated: boolean;
    readonly idleTimeoutMs: number;
    readonly absoluteTimeoutMs: number;
    /** The idle expiry moves at most once per interval, so steady-state reads never write. */
    readonly touchIntervalMs: number;
    readonly cookieName: string;
    readonly secureCookies: boolean;
  };
  readonly redis: {
    /** `null` selects the embedded in-memory store (development only). */
    readonly url: string | null;
    readonly prefix: string;
  };
  /** The API proxy: `/api/<name>/...` forwarded to the campus's own APIs with the user's access token. */
  readonly api: {
    /** Longest prefix first; none overlaps another or a route the BFF answers itself. */
    readonly routes: readonly ApiRoute[];
    /** No upstream response headers within this many ms: 504 `porter/upstream_timeout`. */
    readonly timeoutMs: number;
  };
  /**
   * Ending someone else's sessions needs a sign-in at Campus One (the session's `auth_time`) at
   * most this many seconds old; an older one must step up first (`porter/step_up_required`).
   */
  readonly stepUpMaxAgeS: number;
  readonly trustProxy: string;
  readonly shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long the server goes on listening and serving, in ms, while `/readyz`
   * answers 503 `draining`, before it stops accepting connections: the time a load balancer
   * that polls readiness needs to take the instance out of rotation.
   */
  readonly shutdownDelayMs: number;
  /** A client must have sent its request headers within this long, or gets 408 (Node's `headersTimeout`). */
  readonly headersTimeoutMs: number;
  /** A client must have sent its whole request within this long, or gets 408 (Node's `requestTimeout`). */
  readonly requestTimeoutMs: number;
  readonly logLevel: string;
  /** Where `/metrics` listens, apart from the public listener; `null` when `METRICS_PORT=off`. */
  readonly metrics: { readonly host: string; readonly port: number } | null;
  /** Requests allowed per minute for each limited route group; `null` when that limit is off. */
  readonly rateLimits: Readonly<Record<RateLimitName, number | null>>;
}

export const IDENTITY_PROVIDERS = ['campus-one', 'django-sso'] as const;
export type IdentityProviderName = (typeof IDENTITY_PROVIDERS)[number];

/** A django-sso 3.x gateway, as `../shared/django-sso.md` describes its protocol. */
export interface DjangoSsoConfig {
  /** The gateway's SSO root, without trailing slash: `{gatewayUrl}/sso/obtain/`, `{gatewayUrl}/login/`. */
  readonly gatewayUrl: string;
  /** The service token the gateway issued to Porter: a shared secret, never logged. */
  readonly serviceToken: string;
  /** First matching rule gives the role; the last rule matches everyone (`field` is `null`). */
  readonly roleRules: readonly RoleRule[];
  /** Calls to the gateway give up after this many ms. */
  readonly timeoutMs: number;
}

/** One entry of `DJANGO_SSO_ROLES`: a user whose account field `field` is `true` gets `role`; `field: null` matches anyone. */
export interface RoleRule {
  readonly field: string | null;
  readonly role: string;
}

export const DJANGO_SSO_DEFAULT_ROLES = 'is_superuser=admin,is_staff=staff,*=student';
const SERVICE_TOKEN_MIN = 16;

/** One entry of `PORTER_API_ROUTES`: requests under `prefix` go to `upstream`, the rest of the path appended. */
export interface ApiRoute {
  /** `/api/<name>[/<more>]`, lower-case, no trailing slash. */
  readonly prefix: string;
  /** Absolute http(s) URL without query, fragment or credentials; its path ends without `/`. */
  readonly upstream: string;
}

/**
 * The rate-limited route groups and their defaults, in requests per minute: per client address,
 * except `api`, per session. A campus NAT puts thousands of students behind one address, so the
 * per-address limits are sized for a whole campus, not for one person (README, Operations).
 */
export const RATE_LIMIT_DEFAULTS = {
  /** `/auth/login` and `/auth/callback` together: two requests per sign-in, so 600 sign-ins a minute. */
  signIn: 1200,
  backchannelLogout: 1200,
  webhooks: 6000,
  admin: 300,
  api: 600,
} as const;

export type RateLimitName = keyof typeof RATE_LIMIT_DEFAULTS;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where Porter answers `/api/academic/...` itself (routes/academic.ts). */
export const ACADEMIC_API_PREFIX = '/api/academic';

/** Routes under `/api/` that the BFF answers itself; no proxy prefix may cover or sit under them. */
export const BFF_API_PREFIXES: readonly string[] = Object.freeze([ACADEMIC_API_PREFIX, '/api/admin']);

export const CAMPUS_ONE_DEFAULTS = {
  issuer: 'https://auth.campusone.com.ng',
  discoveryUrl: 'https://auth.campusone.com.ng/api/auth/.well-known/openid-configuration',
  scopes: 'openid profile email academic roles offline_access',
} as const;

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SESSION_SECRET_MIN = 32;
const STEP_UP_MAX_AGE_MIN_S = 60;
const STEP_UP_MAX_AGE_MAX_S = 24 * 60 * 60;

const duration = (fallbackMs: number) =>
  z.coerce.number().int('must be a whole number of milliseconds').positive('must be positive').default(fallbackMs);

/** A per-minute request count, or `off`. */
const perMinute = (fallback: number) =>
  z
    .union([z.literal('off'), z.coerce.number().int().positive('must be above 0, or off')], { error: 'must be a whole number of requests per minute above 0, or off' })
    .default(fallback)
    .transform((value) => (value === 'off' ? null : value));

const secretList = z
  .string()
  .transform((value) => value.split(',').map((s) => s.trim()))
  .refine((list) => list.every((s) => s.length > 0), 'must not be empty or hold an empty entry');

const env = z.object({
  NODE_ENV: z.string().default('development'),
  APP_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://campus.example.edu' }).optional(),
  HOST: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535, 'must be a port number (0-65535)').default(4000),
  CAMPUS_ONE_ISSUER: z.url({ error: 'must be a URL' }).default(CAMPUS_ONE_DEFAULTS.issuer),
  CAMPUS_ONE_DISCOVERY_URL: z.url({ error: 'must be a URL' }).default(CAMPUS_ONE_DEFAULTS.discoveryUrl),
  PORTER_IDENTITY_PROVIDER: z.enum(IDENTITY_PROVIDERS, { error: 'must be campus-one or django-sso' }).default('campus-one'),
  // Required only with Campus One as the identity provider: checked after parsing.
  CAMPUS_ONE_CLIENT_ID: z.string().min(1, 'must not be empty').optional(),
  CAMPUS_ONE_CLIENT_SECRET: z.string().min(1, 'must not be empty').optional(),
  DJANGO_SSO_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL: the gateway\'s SSO root' }).optional(),
  DJANGO_SSO_SERVICE_TOKEN: z.string().min(SERVICE_TOKEN_MIN, `must be at least ${SERVICE_TOKEN_MIN} characters`).optional(),
  DJANGO_SSO_ROLES: z.string().default(DJANGO_SSO_DEFAULT_ROLES),
  DJANGO_SSO_TIMEOUT_MS: duration(5 * SECOND),
  CAMPUS_ONE_SCOPES: z
    .string()
    .default(CAMPUS_ONE_DEFAULTS.scopes)
    .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid'),
  CAMPUS_ONE_ID_TOKEN_ALG: z
    .string()
    .regex(/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/, 'must be an asymmetric JWS algorithm such as RS256 or EdDSA')
    .optional(),
  CAMPUS_ONE_TIMEOUT_MS: duration(5 * SECOND),
  CAMPUS_ONE_CLOCK_TOLERANCE_S: z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(300, 'must be at most 300 seconds: a larger allowance lets tokens dated far ahead through')
    .default(60),
  CAMPUS_ONE_API_URL: z.url({ error: 'must be a URL' }).optional(),
  CAMPUS_ONE_WEBHOOK_SECRET: secretList.optional(),
  CAMPUS_ONE_WEBHOOK_MAX_AGE_MS: duration(60 * 60 * SECOND),
  SESSION_SECRET: secretList
    .refine((list) => list.every((s) => s.length >= SESSION_SECRET_MIN), `each secret must be at least ${SESSION_SECRET_MIN} characters`)
    .optional(),
  SESSION_IDLE_TIMEOUT_MS: duration(DAY),
  SESSION_ABSOLUTE_TIMEOUT_MS: duration(7 * DAY),
  SESSION_TOUCH_INTERVAL_MS: duration(5 * 60 * SECOND),
  REDIS_URL: z
    .string()
    .regex(/^(rediss?|redis-sentinel|redis-cluster):\/\//, 'must start with redis://, rediss://, redis-sentinel:// or redis-cluster://')
    .optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]+$/, 'may hold letters, digits, _ : . -').default('porter:'),
  PORTER_API_ROUTES: z.string().default(''),
  PORTER_API_INTERNAL_HOSTS: z.string().default(''),
  PORTER_API_TIMEOUT_MS: duration(30 * SECOND),
  PORTER_STEP_UP_MAX_AGE_S: z.coerce
    .number()
    .int('must be a whole number of seconds')
    .min(STEP_UP_MAX_AGE_MIN_S, `must be at least ${STEP_UP_MAX_AGE_MIN_S} seconds: an admin needs the time to confirm the action after signing in again`)
    .max(STEP_UP_MAX_AGE_MAX_S, `must be at most ${STEP_UP_MAX_AGE_MAX_S} seconds (1 day)`)
    .default(600),
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
  SHUTDOWN_TIMEOUT_MS: duration(10 * SECOND),
  SHUTDOWN_DELAY_MS: z.coerce.number().int('must be a whole number of milliseconds').min(0, 'must be 0 or more').default(0),
  HEADERS_TIMEOUT_MS: duration(10 * SECOND),
  REQUEST_TIMEOUT_MS: duration(30 * SECOND),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)], { error: 'must be a port number (0-65535), or off' })
    .default(9464),
  RATE_LIMIT_SIGN_IN: perMinute(RATE_LIMIT_DEFAULTS.signIn),
  RATE_LIMIT_BACKCHANNEL_LOGOUT: perMinute(RATE_LIMIT_DEFAULTS.backchannelLogout),
  RATE_LIMIT_WEBHOOKS: perMinute(RATE_LIMIT_DEFAULTS.webhooks),
  RATE_LIMIT_ADMIN: perMinute(RATE_LIMIT_DEFAULTS.admin),
  RATE_LIMIT_API: perMinute(RATE_LIMIT_DEFAULTS.api),
});

/**
 * Parses the environment (`source`, the process's own by default). Throws a {@link ConfigError}
 * listing every problem. `generateSecret` supplies a development-only session secret when none
 * is set (`session.secretGenerated` then says so).
 */
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  generateSecret: () => string = () => randomBytes(32).toString('base64url'),
): Config {
  const parsed = env.safeParse(source);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  const production = source.NODE_ENV === 'production';
  const provider = source.PORTER_IDENTITY_PROVIDER === 'django-sso' ? 'django-sso' : 'campus-one';
  const required: Record<IdentityProviderName, readonly [string, string][]> = {
    'campus-one': [
      ['CAMPUS_ONE_CLIENT_ID', 'the client id registered at Campus One'],
      ['CAMPUS_ONE_CLIENT_SECRET', 'the client secret registered at Campus One'],
    ],
    'django-sso': [
      ['DJANGO_SSO_GATEWAY_URL', "the gateway's SSO root, such as https://sso.campus.example"],
      ['DJANGO_SSO_SERVICE_TOKEN', 'the service token the gateway issued to Porter'],
    ],
  };
  for (const [name, what] of required[provider]) {
    if (source[name] === undefined) problems.push(`${name} is required with PORTER_IDENTITY_PROVIDER=${provider}: ${what}`);
  }
  const roleRules = parseRoleRules(source.DJANGO_SSO_ROLES ?? DJANGO_SSO_DEFAULT_ROLES);
  if (provider === 'django-sso') problems.push(...roleRules.problems);
  if (production) {
    if (!source.APP_URL) problems.push('APP_URL is required in production');
    if (!source.REDIS_URL) problems.push('REDIS_URL is required in production (the in-memory store is for development)');
    if (!source.SESSION_SECRET) problems.push(`SESSION_SECRET is required in production (at least ${SESSION_SECRET_MIN} characters)`);
  }
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const appUrl = (e.APP_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const issuer = new URL(e.CAMPUS_ONE_ISSUER);
  const discovery = new URL(e.CAMPUS_ONE_DISCOVERY_URL);
  // Campus One serves its App API on the issuer's host.
  const api = new URL(e.CAMPUS_ONE_API_URL ?? `${e.CAMPUS_ONE_ISSUER.replace(/\/+$/, '')}/api/apps`);
  const httpOnLoopback = (url: URL) => url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);

  const gateway = e.DJANGO_SSO_GATEWAY_URL ? new URL(e.DJANGO_SSO_GATEWAY_URL) : null;

  if (production && e.APP_URL && !appUrl.startsWith('https://')) problems.push('APP_URL must be https:// in production');
  for (const [name, url] of [
    ['CAMPUS_ONE_ISSUER', issuer],
    ['CAMPUS_ONE_DISCOVERY_URL', discovery],
    ...(gateway && e.PORTER_IDENTITY_PROVIDER === 'django-sso' ? [['DJANGO_SSO_GATEWAY_URL', gateway] as const] : []),
    // When derived from the issuer, the issuer's own check covers it.
    ...(e.CAMPUS_ONE_API_URL === undefined ? [] : ([['CAMPUS_ONE_API_URL', api]] as const)),
  ] as const) {
    if (url.protocol === 'https:') continue;
    if (production) problems.push(`${name} must be https:// in production`);
    else if (!httpOnLoopback(url)) problems.push(`${name} may be http:// only on localhost or 127.0.0.1`);
  }
  if (e.SESSION_ABSOLUTE_TIMEOUT_MS < e.SESSION_IDLE_TIMEOUT_MS) {
    problems.push('SESSION_ABSOLUTE_TIMEOUT_MS must not be shorter than SESSION_IDLE_TIMEOUT_MS');
  }
  if (e.SESSION_TOUCH_INTERVAL_MS >= e.SESSION_IDLE_TIMEOUT_MS) {
    problems.push('SESSION_TOUCH_INTERVAL_MS must be shorter than SESSION_IDLE_TIMEOUT_MS');
  }
  const internalHosts = new Set(e.PORTER_API_INTERNAL_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));
  const apiRoutes = parseApiRoutes(e.PORTER_API_ROUTES, (url) => {
    if (url.protocol === 'https:' || !production) return null;
    if (LOOPBACK_HOSTS.has(url.hostname) || internalHosts.has(url.hostname.toLowerCase())) return null;
    return 'must be https:// in production unless its host is on loopback or listed in PORTER_API_INTERNAL_HOSTS';
  });
  problems.push(...apiRoutes.problems);
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) problems.push('HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS');
  if (problems.length > 0) throw new ConfigError(problems);

  const secureCookies = appUrl.startsWith('https://');
  return deepFreeze({
    production,
    appUrl,
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    identityProvider: e.PORTER_IDENTITY_PROVIDER,
    djangoSso:
      e.PORTER_IDENTITY_PROVIDER === 'django-sso' && gateway && e.DJANGO_SSO_SERVICE_TOKEN
        ? {
            gatewayUrl: `${gateway.origin}${gateway.pathname.replace(/\/+$/, '')}`,
            serviceToken: e.DJANGO_SSO_SERVICE_TOKEN,
            roleRules: roleRules.rules,
            timeoutMs: e.DJANGO_SSO_TIMEOUT_MS,
          }
        : null,
    campusOne: {
      issuer: e.CAMPUS_ONE_ISSUER,
      discoveryUrl: e.CAMPUS_ONE_DISCOVERY_URL,
      // Empty only with django-sso as the identity provider, where nothing uses them.
      clientId: e.CAMPUS_ONE_CLIENT_ID ?? '',
      clientSecret: e.CAMPUS_ONE_CLIENT_SECRET ?? '',
      scopes: e.CAMPUS_ONE_SCOPES.trim().split(/\s+/).join(' '),
      idTokenAlg: e.CAMPUS_ONE_ID_TOKEN_ALG ?? null,
      insecureHttp: [issuer, discovery, api].some((url) => url.protocol === 'http:'),
      timeoutMs: e.CAMPUS_ONE_TIMEOUT_MS,
      clockToleranceS: e.CAMPUS_ONE_CLOCK_TOLERANCE_S,
      apiUrl: api.href.replace(/\/+$/, ''),
      webhookSecrets: e.CAMPUS_ONE_WEBHOOK_SECRET ?? [],
      webhookMaxAgeMs: e.CAMPUS_ONE_WEBHOOK_MAX_AGE_MS,
    },
    session: {
      secrets: e.SESSION_SECRET ?? [generateSecret()],
      secretGenerated: e.SESSION_SECRET === undefined,
      idleTimeoutMs: e.SESSION_IDLE_TIMEOUT_MS,
      absoluteTimeoutMs: e.SESSION_ABSOLUTE_TIMEOUT_MS,
      touchIntervalMs: e.SESSION_TOUCH_INTERVAL_MS,
      cookieName: secureCookies ? SESSION_COOKIE.secure : SESSION_COOKIE.insecure,
      secureCookies,
    },
    redis: { url: e.REDIS_URL ?? null, prefix: e.REDIS_PREFIX },
    api: { routes: apiRoutes.routes, timeoutMs: e.PORTER_API_TIMEOUT_MS },
    stepUpMaxAgeS: e.PORTER_STEP_UP_MAX_AGE_S,
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    metrics: e.METRICS_PORT === 'off' ? null : { host: e.METRICS_HOST, port: e.METRICS_PORT },
    rateLimits: {
      signIn: e.RATE_LIMIT_SIGN_IN,
      backchannelLogout: e.RATE_LIMIT_BACKCHANNEL_LOGOUT,
      webhooks: e.RATE_LIMIT_WEBHOOKS,
      admin: e.RATE_LIMIT_ADMIN,
      api: e.RATE_LIMIT_API,
    },
  });
}

const ACCOUNT_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROLE_NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * Parses `DJANGO_SSO_ROLES`: comma-separated `<account field>=<role>` rules, first match wins,
 * ending with `*=<role>` for everyone else, such as `is_superuser=admin,is_staff=staff,*=student`.
 * A field matches when the gateway's `update_account` sent it as `true`. Every bad entry is reported.
 */
export function parseRoleRules(value: string): { rules: RoleRule[]; problems: string[] } {
  const rules: RoleRule[] = [];
  const problems: string[] = [];
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [field = '', role = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (rest.length > 0 || !ROLE_NAME.test(role) || (field !== '*' && !ACCOUNT_FIELD.test(field))) {
      problems.push(`DJANGO_SSO_ROLES entry "${entry}": must be <account field>=<role> or *=<role>, such as is_staff=staff`);
      continue;
    }
    rules.push({ field: field === '*' ? null : field, role });
  }
  const catchAll = rules.findIndex((rule) => rule.field === null);
  if (catchAll === -1) problems.push('DJANGO_SSO_ROLES must end with *=<role>, the role of everyone else (such as *=student)');
  else if (catchAll !== rules.length - 1) problems.push('DJANGO_SSO_ROLES: *=<role> must be the last entry; the rules after it never match');
  return { rules, problems };
}

const API_PREFIX = /^\/api(\/[a-z0-9][a-z0-9._-]*)+$/;

/** True when one path is the other or lies under it, segment by segment. */
const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/**
 * Parses `PORTER_API_ROUTES`: comma-separated `<prefix>=<upstream URL>` entries, such as
 * `/api/campus=http://127.0.0.1:5000,/api/library=https://library.campus.example/v2`. Every bad
 * entry is reported, each naming the entry. `transportProblem` says why an upstream's scheme
 * and host are not allowed here, or `null`.
 */
export function parseApiRoutes(
  value: string,
  transportProblem: (url: URL) => string | null,
): { routes: ApiRoute[]; problems: string[] } {
  const routes: ApiRoute[] = [];
  const problems: string[] = [];
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const say = (problem: string) => problems.push(`PORTER_API_ROUTES entry "${entry}": ${problem}`);
    const equals = entry.indexOf('=');
    if (equals === -1) {
      say('must be <prefix>=<upstream URL>, such as /api/campus=https://api.campus.example');
      continue;
    }
    const prefix = entry.slice(0, equals).trim().replace(/\/+$/, '');
    const target = entry.slice(equals + 1).trim();
    let ok = true;
    if (!API_PREFIX.test(prefix)) {
      ok = false;
      say('the prefix must lie under /api/, as lower-case path segments such as /api/campus');
    } else {
      const owned = BFF_API_PREFIXES.find((own) => overlaps(prefix, own));
      if (owned) {
        ok = false;
        say(`the prefix overlaps ${owned}, which Porter answers itself`);
      }
      const clash = routes.find((route) => overlaps(prefix, route.prefix));
      if (clash) {
        ok = false;
        say(`the prefix ${prefix === clash.prefix ? 'repeats' : 'overlaps'} ${clash.prefix}, listed before it`);
      }
    }
    let url: URL | null = null;
    try {
      url = new URL(target);
    } catch {
      say('the upstream must be an absolute URL such as https://api.campus.example/v1');
    }
    if (url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') say(`unknown scheme ${url.protocol} (http: or https: only)`);
      else if (url.username || url.password || url.search || url.hash || target.endsWith('?') || target.endsWith('#')) {
        say('the upstream must have no credentials, query or fragment');
      } else {
        const transport = transportProblem(url);
        if (transport) say(`the upstream ${transport}`);
        else if (ok) routes.push({ prefix, upstream: `${url.origin}${url.pathname.replace(/\/+$/, '')}` });
      }
    }
  }
  routes.sort((a, b) => b.prefix.length - a.prefix.length);
  return { routes, problems };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
