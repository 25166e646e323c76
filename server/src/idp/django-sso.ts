import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, type User } from '@porter/shared';
import type { DjangoSsoConfig, RoleRule } from '../config.js';
import { AppError } from '../errors.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** The `fields` of an `update_account` event: `user_identy`, the flags, and any additional fields (`name`, `email`, ...). */
export type AccountFields = Record<string, unknown>;

/** How long the account fields of a user are kept after the gateway last sent them, in ms. */
export const ACCOUNT_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Porter's side of a django-sso 3.x gateway (`../shared/django-sso.md`): its four form-encoded
 * endpoints, and the account fields its `update_account` events leave in Redis by identity.
 */
export class DjangoSso {
  constructor(
    readonly config: DjangoSsoConfig,
    private readonly kv: Kv,
    private readonly keys: Keys,
  ) {}

  /** `{gateway}/login/?sso=<token>`, where the browser signs in. */
  loginUrl(authenticationToken: string): string {
    return `${this.config.gatewayUrl}/login/?sso=${encodeURIComponent(authenticationToken)}`;
  }

  /** `sso/obtain/`: a new authentication request token for a sign-in that returns to `nextUrl` (relative). */
  async obtain(nextUrl: string): Promise<string> {
    const body = await this.call('sso/obtain/', { next_url: nextUrl });
    if (typeof body.token !== 'string' || body.token === '') throw this.malformed('sso/obtain/');
    return body.token;
  }

  /** `sso/get/`: the identity that authenticated `authenticationToken`; throws unless `authenticated` is `true`. */
  async authenticated(authenticationToken: string): Promise<{ userIdenty: string; nextUrl: string | null }> {
    const body = await this.call('sso/get/', { authentication_token: authenticationToken });
    if (body.authenticated !== true || typeof body.user_identy !== 'string' || body.user_identy === '') {
      throw new AppError(400, ErrorCode.ProviderError, 'The sign-in gateway has not authenticated this sign-in. Please sign in again.');
    }
    return { userIdenty: body.user_identy, nextUrl: typeof body.next_url === 'string' ? body.next_url : null };
  }

  /** `sso/make_used/`: the gateway must not honour `authenticationToken` again. */
  async makeUsed(authenticationToken: string): Promise<void> {
    const body = await this.call('sso/make_used/', { authentication_token: authenticationToken });
    if (body.ok !== true) throw this.malformed('sso/make_used/');
  }

  /** `sso/deauthenticate/`: the gateway ends its own sessions of the user and tells its other services. */
  async deauthenticate(userIdenty: string): Promise<void> {
    const body = await this.call('sso/deauthenticate/', { user_identy: userIdenty });
    if (body.ok !== true) throw this.malformed('sso/deauthenticate/');
  }

  /**
   * Whether the gateway answers HTTP at its SSO root within the timeout. The protocol has no
   * health endpoint, so any answer counts (a 404 or 405 says a server is there); only a refused
   * connection or a timeout is `false`. Never throws.
   */
  async reachable(): Promise<boolean> {
    try {
      const response = await fetch(`${this.config.gatewayUrl}/`, { signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'manual' });
      await response.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  /** True when `token` is the service token; constant time (both sides hashed to one length first). */
  isServiceToken(token: unknown): boolean {
    if (typeof token !== 'string') return false;
    return timingSafeEqual(sha256(token), sha256(this.config.serviceToken));
  }

  /**
   * Marks `authenticationToken` accepted; `false` when this Porter accepted it before. Older
   * gateways' `make_used/` leaves a token usable, so Porter keeps its own record.
   */
  markAccepted(authenticationToken: string, ttlMs: number): Promise<boolean> {
    return this.kv.setIfAbsent(this.keys.usedSsoToken(sha256(authenticationToken).toString('hex')), '1', ttlMs);
  }

  async account(userIdenty: string): Promise<AccountFields | null> {
    const stored = await this.kv.get(this.keys.ssoAccount(userIdenty));
    return stored === null ? null : (JSON.parse(stored) as AccountFields);
  }

  /** Stores the latest account fields of a user: one SET. */
  saveAccount(userIdenty: string, fields: AccountFields): Promise<void> {
    return this.kv.set(this.keys.ssoAccount(userIdenty), JSON.stringify(fields), ACCOUNT_TTL_MS);
  }

  deleteAccount(userIdenty: string): Promise<void> {
    return this.kv.del(this.keys.ssoAccount(userIdenty));
  }

  /** POSTs a form to the gateway with the service token. HTTP 200 with `{"error"}` is an error, as is anything not JSON. */
  private async call(path: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.config.gatewayUrl}/${path}`, {
        method: 'POST',
        body: new URLSearchParams({ token: this.config.serviceToken, ...fields }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
        redirect: 'manual',
      });
    } catch {
      throw new AppError(503, ErrorCode.ProviderUnavailable, 'The sign-in gateway is not answering. Please try again shortly.');
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok || body === null || typeof body !== 'object' || Array.isArray(body)) throw this.malformed(path);
    const record = body as Record<string, unknown>;
    if ('error' in record) {
      throw new AppError(502, ErrorCode.ProviderError, `The sign-in gateway refused ${path}: ${String(record.error).slice(0, 200)}`);
    }
    return record;
  }

  private malformed(path: string): AppError {
    return new AppError(502, ErrorCode.ProviderError, `The sign-in gateway answered ${path} in an unexpected way.`);
  }
}

/**
 * Porter's user from a gateway identity and its latest account fields. Without fields (the
 * `update_account` event was lost) the user gets the least role, the last rule's: never more.
 */
export function userFromAccount(userIdenty: string, fields: AccountFields | null, rules: readonly RoleRule[]): User {
  const role = roleOf(fields, rules);
  const text = (name: string) => (typeof fields?.[name] === 'string' && fields[name] !== '' ? (fields[name] as string) : null);
  return {
    sub: userIdenty,
    name: text('name') ?? userIdenty,
    email: text('email'),
    emailVerified: null,
    preferredUsername: userIdenty,
    role,
    roles: [role],
    studentId: null,
    studyLevel: null,
    level: null,
    finalYear: null,
    facultyId: null,
    departmentId: null,
    academicSession: null,
    semester: null,
  };
}

/** The first rule whose field is `true` in `fields`; the last rule (everyone) otherwise. */
export function roleOf(fields: AccountFields | null, rules: readonly RoleRule[]): string {
  const match = rules.find((rule) => rule.field === null || fields?.[rule.field] === true);
  return (match ?? rules[rules.length - 1])?.role ?? 'student';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
