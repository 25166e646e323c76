import { ErrorCode } from '@porter/shared';
import { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * A verified Campus One webhook, reduced to what Porter does with it. Only `user.role_changed`
 * is documented by Campus One; the other names are what integrators handle (campus-one.md), and
 * any event Porter does not know is accepted and ignored.
 */
export type WebhookEvent =
  | (Delivery & { kind: 'role_changed'; sub: string; newRole: string; previousRole: string | null })
  | (Delivery & { kind: 'end_sessions'; sub: string })
  /** `undefined`: not in the payload, left as it is. */
  | (Delivery & { kind: 'user_updated'; sub: string; name: string | undefined; email: string | null | undefined })
  | { kind: 'ignored'; id: string; event: string };

interface Delivery {
  /** The payload's `id`: the delivery id, signed with the body (the header copy is not). */
  id: string;
  event: string;
  /** `occurredAt`, in ms since epoch. */
  occurredAt: number;
}

/** Events after which none of the user's sessions may go on. */
const ENDS_SESSIONS = new Set(['user.deleted', 'user.disconnected', 'session.revoked', 'session.signed_out']);

const text = z.string().trim().min(1).max(500);
const envelope = z.object({ id: text, event: text });
const known = z.object({ occurredAt: z.iso.datetime({ offset: true }), data: z.looseObject({ user_id: text }) });
const roleChange = z.object({ new_role: text, previous_role: text.nullish() });
const userUpdate = z.object({ name: text.optional(), email: text.nullish() });

/** Parses a verified body. Malformed JSON, a missing `id` or `event`, or bad data of a known event: 400. */
export function parseWebhook(body: Buffer): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new AppError(400, ErrorCode.BadRequest, 'The webhook body is not JSON.', { cause });
  }
  const { id, event } = valid(envelope, json);
  const applies = event === 'user.role_changed' || event === 'user.updated' || ENDS_SESSIONS.has(event);
  if (!applies) return { kind: 'ignored', id, event };

  const { occurredAt, data } = valid(known, json);
  const delivery = { id, event, occurredAt: Date.parse(occurredAt), sub: data.user_id };
  if (event === 'user.role_changed') {
    const change = valid(roleChange, data, 'data');
    return { ...delivery, kind: 'role_changed', newRole: change.new_role, previousRole: change.previous_role ?? null };
  }
  if (event === 'user.updated') {
    const update = valid(userUpdate, data, 'data');
    return { ...delivery, kind: 'user_updated', name: update.name, email: update.email };
  }
  return { ...delivery, kind: 'end_sessions' };
}

function valid<T>(schema: z.ZodType<T>, value: unknown, at?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `"${[...(at ? [at] : []), ...issue.path.map(String)].join('.')}" ${issue.message}`);
  throw new AppError(400, ErrorCode.BadRequest, `The webhook payload is not usable: ${problems.join('; ')}.`);
}
