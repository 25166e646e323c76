import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** How far in the future an event may be dated: clocks differ a little, never by more. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Long enough to apply an event; if the instance dies meanwhile, a retry may proceed after it. */
const APPLYING_TTL_MS = 60 * 1000;
const APPLYING = 'applying';
const APPLIED = 'applied';

export type Claim = 'new' | 'duplicate' | 'in_progress';

/**
 * Replay protection for webhooks, which Campus One leaves to the receiver (the signature covers
 * the body only, with no signed timestamp): events dated outside a window are refused, and
 * delivery ids are remembered for as long as that window lasts, so any replay that could pass
 * the date check is recognised by its id.
 */
export class Deliveries {
  private readonly rememberMs: number;

  constructor(
    private readonly kv: Kv,
    private readonly keys: Keys,
    private readonly maxAgeMs: number,
  ) {
    this.rememberMs = maxAgeMs + MAX_FUTURE_SKEW_MS;
  }

  /** Refuses an event older than the configured age, or dated too far in the future. */
  checkDate(occurredAt: number, now: number): void {
    if (occurredAt < now - this.maxAgeMs) {
      throw new AppError(400, ErrorCode.StaleEvent, `The event is older than ${this.maxAgeMs / 1000} s (occurredAt); it was not applied.`);
    }
    if (occurredAt > now + MAX_FUTURE_SKEW_MS) {
      throw new AppError(400, ErrorCode.StaleEvent, 'The event is dated more than 5 minutes in the future (occurredAt); it was not applied.');
    }
  }

  /**
   * Takes a delivery id for applying. `duplicate`: it was applied already. `in_progress`: another
   * request is applying it now. The id is marked applied only once the change is durable
   * ({@link applied}), so a delivery that failed half-way is applied again when Campus One retries.
   */
  async claim(id: string): Promise<Claim> {
    const key = this.keys.webhookDelivery(id);
    if (await this.kv.setIfAbsent(key, APPLYING, APPLYING_TTL_MS)) return 'new';
    return (await this.kv.get(key)) === APPLIED ? 'duplicate' : 'in_progress';
  }

  async applied(id: string): Promise<void> {
    await this.kv.set(this.keys.webhookDelivery(id), APPLIED, this.rememberMs);
  }

  /** Lets a retry apply the delivery at once after a failure (else it waits for the claim to expire). */
  async release(id: string): Promise<void> {
    await this.kv.del(this.keys.webhookDelivery(id));
  }
}
