import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteGroup } from './route-group.js';

/** How a sign-in attempt ended: signed in, a silent attempt that found no Campus One session, or failed. */
export type SignInOutcome = 'signed_in' | 'silent_no_session' | 'failed';

/** Campus One webhook events Porter knows by name; any other name is counted as `other`, so the label stays bounded. */
const WEBHOOK_EVENTS = new Set([
  'user.role_changed',
  'user.updated',
  'user.deleted',
  'user.disconnected',
  'user.created',
  'session.revoked',
  'session.signed_out',
]);

/**
 * The webhook event label: a known event name, `other` for any other, or `unread` when the
 * request was refused before its body was verified and read (a bad signature, a rate limit).
 */
export function webhookEventLabel(event: string | undefined): string {
  if (event === undefined) return 'unread';
  return WEBHOOK_EVENTS.has(event) ? event : 'other';
}

/** Seconds, for request durations: from a sub-millisecond /readyz to a sign-in waiting on Campus One (timeout 5 s). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Porter's Prometheus metrics, in a registry of their own (several apps in one process, as in
 * the tests, never mix their numbers). Every label is bounded: outcomes, error codes, statuses,
 * route groups, store operations, known event names; never a user, path or session id.
 * Served by `ops/metrics-server.ts`, apart from the public listener.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly signIns = new Counter({
    name: 'porter_sign_ins_total',
    help: 'Sign-in attempts that reached an end, by outcome, silent (prompt=none) or interactive, and error code when failed.',
    labelNames: ['outcome', 'mode', 'code'] as const,
    registers: [this.registry],
  });

  private readonly tokenRefreshes = new Counter({
    name: 'porter_token_refreshes_total',
    help: 'Access token refreshes that were due, by outcome (refreshed, busy: another request holds the lock, failed, cannot_refresh, ended, error: the store failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly webhooks = new Counter({
    name: 'porter_webhooks_total',
    help: 'Campus One webhook deliveries, by event (known names, other, or unread when refused before reading) and outcome (applied, ignored, duplicate, superseded, or the error code).',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly backchannelLogouts = new Counter({
    name: 'porter_backchannel_logouts_total',
    help: 'Back-channel logout requests, by outcome (ended: sessions ended, no_session: none matched, or the error code).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly storeErrors = new Counter({
    name: 'porter_store_errors_total',
    help: 'Store (Redis) operations that failed, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'porter_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit, by limit (route group).',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  private readonly requestDuration = new Histogram({
    name: 'porter_http_request_duration_seconds',
    help: 'Duration of requests answered by Express, by route group and status. /auth/me answers given before Express are counted in porter_auth_me_responses_total only.',
    labelNames: ['group', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  /**
   * /auth/me answers as plain numbers, written into the counter at scrape time: the shortcut
   * before Express then pays one property increment, where a prom-client child's `inc()` hashes
   * and validates its labels on every call (about 200 ns, measured on this machine).
   */
  private readonly meAnswers = { shortcut200: 0, shortcut401: 0, express: new Map<number, number>() };

  private liveSessionCount: (() => Promise<number>) | null = null;

  constructor(options: { processMetrics: boolean }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const meAnswers = this.meAnswers;
    new Counter({
      name: 'porter_auth_me_responses_total',
      help: 'GET /auth/me answers by status, and whether the shortcut before Express answered (shortcut) or Express did (express: sessions ended, refreshed or touched, store failures).',
      labelNames: ['status', 'answered_by'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ status: '200', answered_by: 'shortcut' }, meAnswers.shortcut200);
        this.inc({ status: '401', answered_by: 'shortcut' }, meAnswers.shortcut401);
        for (const [status, count] of meAnswers.express) this.inc({ status: String(status), answered_by: 'express' }, count);
      },
    });
    const liveSessions = () => this.liveSessionCount;
    new Gauge({
      name: 'porter_live_sessions',
      help: 'Live sessions, counted in the per-role live-session index (one ZCOUNT per role): the same on every instance (take max, not sum); NaN while the store is away.',
      registers: [this.registry],
      async collect() {
        const count = liveSessions();
        if (!count) return;
        // With the store away, NaN: a stale number would look like a live one.
        this.set(await count().catch(() => Number.NaN));
      },
    });
  }

  /** How the gauge counts live sessions: a few counts in the store per scrape, never a scan. */
  countLiveSessionsWith(count: () => Promise<number>): void {
    this.liveSessionCount = count;
  }

  signIn(outcome: SignInOutcome, silent: boolean, code: string | null = null): void {
    this.signIns.inc({ outcome, mode: silent ? 'silent' : 'interactive', code: code ?? '' });
  }

  /** The shortcut's one cost: keep it a property increment. */
  meAnsweredByShortcut(status: 200 | 401): void {
    if (status === 200) this.meAnswers.shortcut200++;
    else this.meAnswers.shortcut401++;
  }

  meAnsweredByExpress(status: number): void {
    this.meAnswers.express.set(status, (this.meAnswers.express.get(status) ?? 0) + 1);
  }

  tokenRefresh(outcome: string): void {
    this.tokenRefreshes.inc({ outcome });
  }

  webhook(event: string | undefined, outcome: string): void {
    this.webhooks.inc({ event: webhookEventLabel(event), outcome });
  }

  backchannelLogout(outcome: string): void {
    this.backchannelLogouts.inc({ outcome });
  }

  storeError(operation: string): void {
    this.storeErrors.inc({ operation });
  }

  rateLimit(route: string): void {
    this.rateLimited.inc({ route });
  }

  request(group: RouteGroup, status: number, seconds: number): void {
    this.requestDuration.observe({ group, status: String(status) }, seconds);
  }
}
