// Sends webhooks as Campus One does, for `pnpm webhook:send` and the server's tests.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signatureOf } from '../src/webhooks/signature.js';

/** Campus One's webhook payload (see /work/shared/campus-one.md). */
export interface CampusOneWebhook {
  id: string;
  event: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export function webhookEvent(event: string, data: Record<string, unknown>, occurredAt = new Date()): CampusOneWebhook {
  return { id: randomUUID(), event, occurredAt: occurredAt.toISOString(), data };
}

export interface DeliveryOptions {
  /** Sent instead of the body's real signature; `null` sends none. */
  signature?: string | null;
}

/**
 * POSTs a webhook with Campus One's headers, signed over exactly the bytes sent. A string body
 * goes as it is (to test whitespace or malformed JSON); an event is serialized first.
 */
export function deliverWebhook(url: string, secret: string, body: string | CampusOneWebhook, options: DeliveryOptions = {}): Promise<Response> {
  const bytes = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = options.signature === undefined ? signatureOf(Buffer.from(bytes), secret) : options.signature;
  const event = typeof body === 'string' ? null : body;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }),
      ...(event ? { 'X-Campus-One-Event': event.event, 'X-Campus-One-Delivery': event.id } : {}),
    },
    body: bytes,
  });
}
