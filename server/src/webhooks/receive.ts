import { ErrorCode } from '@porter/shared';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { AuthEvents } from '../reports/auth-events.js';
import type { SessionDirectory } from '../session/directory.js';
import { applyWebhook } from './apply.js';
import type { Deliveries } from './deliveries.js';
import type { WebhookEvent } from './event.js';

/**
 * What Campus One gets back: 200 once the change is durable (or there was nothing to do).
 * `superseded`: a newer event about the same user was applied first, so this one was not.
 */
export interface WebhookAnswer {
  ok: true;
  outcome: 'applied' | 'ignored' | 'duplicate' | 'superseded';
  sessions: number;
}

export interface ReceiveDeps {
  deliveries: Deliveries;
  directory: SessionDirectory;
  authEvents: AuthEvents;
  log: Logger;
  now: () => number;
}

/**
 * Acts on a verified, parsed event, at most once per delivery id: refuses a stale date (400),
 * claims the delivery (a duplicate is answered as such, one being applied now is 409), drops
 * what newer events about the same user already set (`superseded`), applies the rest, and marks
 * the delivery applied only once the change is durable. A failure releases the claim, so that
 * Campus One's retry applies it again; the error is thrown on.
 */
export async function receiveWebhook(event: WebhookEvent, deps: ReceiveDeps): Promise<WebhookAnswer> {
  const { deliveries, log, now } = deps;
  if (event.kind === 'ignored') {
    log.info({ webhook: event.id, event: event.event }, 'webhook event ignored: Porter does not act on it');
    return answered('ignored', 0);
  }
  deliveries.checkDate(event.occurredAt, now());
  const claim = await deliveries.claim(event.id);
  if (claim === 'duplicate') return answered('duplicate', 0);
  if (claim === 'in_progress') {
    throw new AppError(409, ErrorCode.DeliveryInProgress, 'This delivery is being applied right now; retry shortly.');
  }
  try {
    const unsuperseded = await deliveries.unsuperseded(event);
    if (!unsuperseded) {
      // Marked applied, so that Campus One's retries of it stop here too.
      await deliveries.applied(event.id);
      log.info(
        { webhook: event.id, event: event.event, sub: event.sub, occurredAt: new Date(event.occurredAt).toISOString() },
        'webhook event superseded: a newer event about the same user was applied first',
      );
      return answered('superseded', 0);
    }
    const applied = await applyWebhook(unsuperseded, deps);
    await deliveries.applied(event.id);
    return answered('applied', applied.sessions);
  } catch (err) {
    // With Redis away this fails too; the claim then expires by itself.
    await deliveries.release(event.id).catch(() => {});
    throw err;
  }
}

function answered(outcome: WebhookAnswer['outcome'], sessions: number): WebhookAnswer {
  return { ok: true, outcome, sessions };
}
