import { ErrorCode } from '@porter/shared';
import { AppError } from '../errors.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import type { WebhookEvent } from './event.js';

/** How far in the future an event may be dated: clocks differ a little, never by more. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Long enough to apply an event; if the instance dies meanwhile, a retry may proceed after it. */
const APPLYING_TTL_MS = 60 * 1000;
const APPLYING = 'applying';
const APPLIED = 'applied';

export type Claim = 'new' | 'duplicate' | 'in_progress';

/** An event about a user (not one Porter ignores). */
export type UserEvent = Exclude<WebhookEvent, { kind: 'ignored' }>;
/** What an event sets on a user. Each is ordered on its own: an older email still counts after a newer name. */
type Field = 'role' | 'name' | 'email';
/** Per field, when the event that last set it occurred (ms since epoch). */
export type OrderMarks = Partial<Record<Field, number>>;

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

  /**
   * Orders events per user, which delivery ids cannot: a delivery that failed and is retried
   * within the window may arrive after a newer event about the same user, and must not undo it.
   * Returns the event with only the fields that no newer event has set, or `null` when nothing
   * is left (superseded). Ending sessions is never skipped, as ending them is the safe side; it
   * supersedes every older change, whose sessions are gone (a sign-in since brought fresher values).
   *
   * The marks advance atomically before the event is applied, so an older event that arrives
   * while this one applies is skipped too, and a retry of this one after a failure is not (its
   * date equals the mark). They live as long as delivery ids: any event older than a mark is
   * refused by its date once the mark is gone.
   */
  async unsuperseded(event: UserEvent): Promise<UserEvent | null> {
    let kept: UserEvent | null = null;
    await this.kv.update(
      this.keys.webhookUserOrder(event.sub),
      (stored) => {
        const ordered = orderUserEvent(stored === null ? {} : (JSON.parse(stored) as OrderMarks), event);
        kept = ordered.event;
        return ordered.marks === null ? null : JSON.stringify(ordered.marks);
      },
      this.rememberMs,
    );
    return kept;
  }

  async applied(id: string): Promise<void> {
    await this.kv.set(this.keys.webhookDelivery(id), APPLIED, this.rememberMs);
  }

  /** Lets a retry apply the delivery at once after a failure (else it waits for the claim to expire). */
  async release(id: string): Promise<void> {
    await this.kv.del(this.keys.webhookDelivery(id));
  }
}

function fieldsOf(event: UserEvent): Field[] {
  switch (event.kind) {
    case 'role_changed':
      return ['role'];
    case 'end_sessions':
      return ['role', 'name', 'email'];
    case 'user_updated':
      return [...(event.name === undefined ? [] : ['name' as const]), ...(event.email === undefined ? [] : ['email' as const])];
  }
}

/**
 * Orders `event` against the user's marks (see {@link Deliveries.unsuperseded}). Pure. Returns
 * the event with only the fields no newer event has set, or `null` when nothing is left; and the
 * marks to store, or `null` when they do not change (a retry of the event that set them).
 */
export function orderUserEvent(marks: OrderMarks, event: UserEvent): { event: UserEvent | null; marks: OrderMarks | null } {
  const fields = fieldsOf(event);
  const fresh = fields.filter((field) => (marks[field] ?? -Infinity) <= event.occurredAt);
  const unchanged = fresh.every((field) => marks[field] === event.occurredAt);
  return {
    event: keptOf(event, fields, fresh),
    marks: unchanged ? null : { ...marks, ...Object.fromEntries(fresh.map((field) => [field, event.occurredAt])) },
  };
}

function keptOf(event: UserEvent, fields: Field[], fresh: Field[]): UserEvent | null {
  switch (event.kind) {
    case 'end_sessions':
      return event;
    case 'role_changed':
      return fresh.includes('role') ? event : null;
    case 'user_updated':
      if (fields.length > 0 && fresh.length === 0) return null;
      return {
        ...event,
        name: fresh.includes('name') ? event.name : undefined,
        email: fresh.includes('email') ? event.email : undefined,
      };
  }
}
