import * as oidc from 'openid-client';
import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { createProviderFetch } from './provider-fetch.js';

/** After a failed discovery, callers within this window get the same failure without a new request. */
const RETRY_AFTER_MS = 1000;

/**
 * Porter's handle on Campus One: the discovered configuration, fetched lazily, cached, and
 * fetched again after a failure, so the server starts while the provider is down and recovers
 * by itself when it returns. Concurrent callers share one discovery request.
 */
export class CampusOne {
  private cached: oidc.Configuration | null = null;
  private inflight: Promise<oidc.Configuration> | null = null;
  private failedAt = -Infinity;
  private lastFailure: AppError | null = null;
  /** Discovery, the JWKS, the token and userinfo requests: one connection pool for them all. */
  private readonly fetch = createProviderFetch();

  constructor(
    private readonly config: Config['campusOne'],
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** How far Campus One's clock may be from Porter's, in seconds (`CAMPUS_ONE_CLOCK_TOLERANCE_S`). */
  get clockToleranceS(): number {
    return this.config.clockToleranceS;
  }

  get ready(): boolean {
    return this.cached !== null;
  }

  async configuration(): Promise<oidc.Configuration> {
    if (this.cached) return this.cached;
    if (this.lastFailure && this.now() - this.failedAt < RETRY_AFTER_MS) throw this.lastFailure;
    this.inflight ??= this.discover().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async discover(): Promise<oidc.Configuration> {
    const { discoveryUrl, issuer, clientId, clientSecret, idTokenAlg, insecureHttp, timeoutMs, clockToleranceS } = this.config;
    try {
      const configuration = await oidc.discovery(
        new URL(discoveryUrl),
        clientId,
        // The tolerance for `exp` and `nbf`; `iat` in the future is Porter's own check (issued-at.ts).
        { [oidc.clockTolerance]: clockToleranceS, ...(idTokenAlg ? { id_token_signed_response_alg: idTokenAlg } : {}) },
        oidc.ClientSecretBasic(clientSecret),
        { execute: insecureHttp ? [oidc.allowInsecureRequests] : [], timeout: Math.ceil(timeoutMs / 1000), [oidc.customFetch]: this.fetch },
      );
      // Campus One's discovery document is not under {issuer}/.well-known, so openid-client
      // does not compare the issuer for us: a document naming another issuer is refused here.
      const advertised = configuration.serverMetadata().issuer;
      if (advertised !== issuer) {
        throw new Error(`discovery names issuer "${advertised}", but CAMPUS_ONE_ISSUER is "${issuer}"`);
      }
      // openid-client trusts TLS for the id_token from the token endpoint (OIDC Core §3.1.3.7);
      // Porter checks its signature against the JWKS too, so a token is never taken on transport alone.
      oidc.enableNonRepudiationChecks(configuration);
      this.cached = configuration;
      this.lastFailure = null;
      this.log.info({ issuer, discoveryUrl }, 'Campus One discovered');
      return configuration;
    } catch (cause) {
      this.failedAt = this.now();
      this.lastFailure = new AppError(
        503,
        ErrorCode.ProviderUnavailable,
        'Sign-in is unavailable: Campus One cannot be reached. Try again shortly.',
        { cause },
      );
      this.log.error({ code: ErrorCode.ProviderUnavailable, discoveryUrl, err: cause }, 'Campus One discovery failed');
      throw this.lastFailure;
    }
  }
}
