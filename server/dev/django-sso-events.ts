// The events a django-sso 3.x gateway POSTs to a service's `/sso/event/`, built and sent as the
// package's `Service._send_event` does (see /work/shared/django-sso.md): a JSON body carrying
// `type` and the service's own `token`, no signature, no retry, and a short timeout. Used by the
// local gateway stand-in and by `pnpm sso:event`.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The package's default `SSO['SUBORDINATE_COMMUNICATION_TIMEOUT']`: 0.1 s per service. */
export const DEFAULT_EVENT_TIMEOUT_MS = 100;

/** The fixed path, under a service's base URL, that receives events. */
export const EVENT_PATH = '/sso/event/';

/**
 * The `fields` of an `update_account` event: the user model's flags (always booleans), its
 * identity (`USERNAME_FIELD`), then the gateway's `SSO['ADDITIONAL_FIELDS']` (here `name` and
 * `email`), whose values are `str`, `bool`, `int`, `float` or `None`.
 */
export interface AccountFields {
  user_identy: string;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  [additionalField: string]: string | number | boolean | null;
}

/** One event body, as the gateway sends it. */
export type SsoEvent =
  | { type: 'update_account'; token: string; fields: AccountFields }
  | { type: 'deauthenticate'; token: string; user_identy: string }
  | { type: 'delete_user'; token: string; user_identy: string }
  | { type: 'change_user_identy'; token: string; old: string; new: string }
  | {
      type: 'update_fields';
      token: string;
      fields: Record<string, string | number | boolean | null>;
      user_identities: string[];
    };

export type SsoEventType = SsoEvent['type'];

/** A body of a type the gateway never sends: what a service must answer 200 to and ignore. */
export interface UnknownSsoEvent {
  type: string;
  token: string;
  [field: string]: unknown;
}

/** What an event carries besides `type` and `token`. */
export type SsoEventData<T extends SsoEventType> = Omit<Extract<SsoEvent, { type: T }>, 'type' | 'token'>;

export const SSO_EVENT_TYPES: readonly SsoEventType[] = Object.freeze([
  'update_account',
  'deauthenticate',
  'delete_user',
  'change_user_identy',
  'update_fields',
]);

/** An event body: `type` and the service's `token` first, as the package builds it. */
export function ssoEvent<T extends SsoEventType>(type: T, token: string, data: SsoEventData<T>): Extract<SsoEvent, { type: T }> {
  // TypeScript cannot see that spreading the rest of one union member back rebuilds it.
  return { type, token, ...data } as unknown as Extract<SsoEvent, { type: T }>;
}

/**
 * How one delivery ended. The package counts a delivery as accepted only on HTTP 200 with a JSON
 * body whose `ok` is truthy; anything else (another status, `{"error": ...}`, a body that is not
 * JSON, a timeout, a refused connection) is logged by the gateway and then forgotten.
 */
export interface EventDelivery {
  /** The service's base URL. */
  service: string;
  event: SsoEvent | UnknownSsoEvent;
  accepted: boolean;
  /** Absent when no answer came (timeout, connection refused). */
  status?: number;
  /** The answer's text, or why there was none. */
  detail: string;
  /** When the POST started and ended, in ms since the epoch. */
  startedAt: number;
  endedAt: number;
}

/**
 * POSTs one event to `{baseUrl}/sso/event/` and reports how it ended; never throws.
 *
 * The package uses `requests.post(..., timeout=0.1)`, where the timeout bounds connecting and
 * each wait for bytes; here `timeoutMs` bounds the whole exchange, which is stricter by at most
 * the time spent reading a small body. node:http rather than fetch: fetch loads its HTTP client
 * on first use, which alone can outlast 0.1 s in a fresh process.
 */
export async function deliverSsoEvent(
  baseUrl: string,
  event: SsoEvent | UnknownSsoEvent,
  timeoutMs: number = DEFAULT_EVENT_TIMEOUT_MS,
): Promise<EventDelivery> {
  const startedAt = Date.now();
  const ended = (outcome: Pick<EventDelivery, 'accepted' | 'detail'> & { status?: number }): EventDelivery => ({
    service: baseUrl,
    event,
    ...outcome,
    startedAt,
    endedAt: Date.now(),
  });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}${EVENT_PATH}`);
    const { status, text } = await post(url, JSON.stringify(event), signal);
    return ended({ accepted: status === 200 && answersOk(text), status, detail: text });
  } catch (error) {
    return ended({
      accepted: false,
      detail: signal.aborted ? `no answer within ${timeoutMs} ms` : `not delivered: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

function post(url: URL, body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, signal },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function answersOk(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && 'ok' in body && Boolean(body.ok);
  } catch {
    return false;
  }
}
