// A local stand-in for a django-sso 3.x gateway (the PyPI package by DAVIDhaker), which some
// campuses run instead of Campus One. The package itself cannot be installed here, so this
// speaks its protocol as /work/shared/django-sso.md describes it from the package's code: the
// four form-encoded endpoints under the SSO root, the sign-in page at `login/?sso=<token>`,
// and the JSON events it POSTs to each service's `/sso/event/`.
//
// Where the package's behaviour is known from its code, it is copied, defects included (errors
// answered with HTTP 200, events sent once with a 0.1 s timeout and then forgotten, and, behind
// `legacyMakeUsed`, older gateways' `make_used` that leaves the token usable). Where neither the
// document nor the code says, the choice is marked "Assumed:" below.
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { escapeHtml } from '@porter/shared';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';

import {
  DEFAULT_EVENT_TIMEOUT_MS,
  deliverSsoEvent,
  ssoEvent,
  type AccountFields,
  type EventDelivery,
  type SsoEventData,
  type SsoEventType,
} from './django-sso-events.js';

/** The service token `pnpm dev:django-sso` registers and `pnpm sso:event` sends; development only. */
export const DEV_SSO_SERVICE_TOKEN = 'porter-dev-sso-service-token-change-me';

/** A service registered on the gateway (the package's "Subordinated service"). */
export interface DjangoSsoService {
  /** The service's token: its only credential, in every call and every event. */
  token: string;
  /** Where the browser is sent back (`{baseUrl}/sso/accept/`) and events go (`{baseUrl}/sso/event/`). */
  baseUrl: string;
  /** Shown on the sign-in page. Default: the base URL. */
  name?: string;
  /** A disabled service is refused on every endpoint and gets no events. Default true. */
  enabled?: boolean;
}

/** A gateway account. The gateway's user model has `USERNAME_FIELD = 'username'`. */
export interface GatewayUser {
  /** The handle picked by tests and `pnpm sso:event --user`; never sent to a service. */
  id: string;
  /** The `USERNAME_FIELD` value: `user_identy` in every answer and event. */
  identy: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** Sent as additional fields (`SSO['ADDITIONAL_FIELDS'] = ('get_full_name:name', 'email')`). */
  name: string;
  email: string;
}

export const SEEDED_SSO_USERS: readonly Readonly<GatewayUser>[] = Object.freeze([
  {
    id: 'student',
    identy: 'amara.eze',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    name: 'Amara Eze',
    email: 'amara.eze@students.campus.example',
  },
  {
    id: 'staff',
    identy: 'tunde.bakare',
    isActive: true,
    isStaff: true,
    isSuperuser: false,
    name: 'Tunde Bakare',
    email: 'tunde.bakare@staff.campus.example',
  },
  {
    id: 'admin',
    identy: 'ngozi.obi',
    isActive: true,
    // Django's createsuperuser makes superusers staff too.
    isStaff: true,
    isSuperuser: true,
    name: 'Ngozi Obi',
    email: 'ngozi.obi@staff.campus.example',
  },
]);

/** The `fields` of the `update_account` event the gateway sends for this user. */
export function accountFields(user: GatewayUser): AccountFields {
  return {
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    user_identy: user.identy,
    name: user.name,
    email: user.email,
  };
}

export interface StartDjangoSsoGatewayOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the package's URLs are included, e.g. `/accounts`. Default: the origin's root. */
  mountPath?: string;
  services: DjangoSsoService[];
  /** Default: SEEDED_SSO_USERS (a student, a staff member, a superuser). */
  users?: GatewayUser[];
  /** Reproduce older gateways' defect: `sso/make_used/` answers ok but leaves the token usable. */
  legacyMakeUsed?: boolean;
  /** `SSO['SUBORDINATE_COMMUNICATION_TIMEOUT']` in ms. Default 100. */
  eventTimeoutMs?: number;
  /** Where failed deliveries are reported (the package logs them). Default console.warn. */
  log?: (line: string) => void;
}

export interface DjangoSsoGateway {
  /** The SSO root, e.g. `http://127.0.0.1:<port>` (a service's `SSO['ROOT']`). */
  url: string;
  /** The accounts, as they are now (saveUser changes them). */
  readonly users: readonly Readonly<GatewayUser>[];
  /** The defect switch; may be flipped while running. */
  legacyMakeUsed: boolean;
  /** Every event POSTed so far, in order, with how it ended. */
  readonly deliveries: readonly EventDelivery[];
  /** `{root}/login/?sso=<token>`: where a service sends the browser. */
  loginUrl(authenticationToken: string): string;
  /**
   * Saves a user as the gateway's admin would (`id` or current identy). A new identy first sends
   * `change_user_identy` (the package's pre_save), then every save sends `update_account`
   * (post_save), each to every enabled service. Throws on an unknown user.
   */
  saveUser(user: string, changes: Partial<Omit<GatewayUser, 'id'>>): Promise<EventDelivery[]>;
  /** Deletes a user: ends their gateway sessions, sends `delete_user` to every enabled service. */
  deleteUser(user: string): Promise<EventDelivery[]>;
  /** Signs a user out of the gateway (its `logout/`): ends their sessions, sends `deauthenticate` to every enabled service. */
  signOut(user: string): Promise<EventDelivery[]>;
  /** A related model of these users changed: sends `update_fields` to every enabled service. */
  updateFields(userIdentities: string[], fields: SsoEventData<'update_fields'>['fields']): Promise<EventDelivery[]>;
  /** How many gateway sessions this user has (by `id` or identy). */
  sessionCount(user: string): number;
  /** Stops listening and closes keep-alive connections. */
  close(): Promise<void>;
}

/** The gateway's session cookie. Assumed: not Django's `sessionid`, which a service on the same host may use. */
const SESSION_COOKIE = 'sso_gateway_sessionid';
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Both tokens are `get_random_string(max_length)` of a `CharField(max_length=128)`. */
const TOKEN_LENGTH = 128;
/** Assumed: Django's default `DATA_UPLOAD_MAX_MEMORY_SIZE` is 2.5 MB; these forms are tiny. */
const MAX_FORM_BYTES = 64 * 1024;

// The package's messages (3.x README wording where it gives one). Services must not parse them.
const MESSAGES = {
  tokenMissing: '"token" is\'nt set',
  nextUrlMissing: '"next_url" is\'nt set',
  userIdentyMissing: '"user_identy" is\'nt set',
  serviceUnknown: "Application token is'nt exist",
  authenticationTokenMissing: "Authentication request token is'nt set",
  requestUnknown: "Authentication request token doesn't exist",
} as const;

/** The package's `AuthenticationRequest` model. */
interface AuthenticationRequest {
  token: string;
  service: Required<DjangoSsoService>;
  nextUrl: string;
  /** Set when a user signs in with this request; empty before. */
  userIdenty: string;
  authenticated: boolean;
  used: boolean;
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port unless `port` is given).
 *
 * Endpoints, under the SSO root (`mountPath`):
 * - `POST sso/obtain/`, `sso/get/`, `sso/make_used/`, `sso/deauthenticate/`: form-encoded (or
 *   multipart) bodies, JSON answers; errors are `{"error": "..."}` with HTTP 200, except
 *   `make_used/` on an unknown request (404), as in the package.
 * - `GET|POST login/?sso=<token>`: the sign-in page (pick an account), then `update_account` to
 *   the service, then a redirect to `{service}/sso/accept/`.
 * - `POST logout/`, `GET __welcome/`: the gateway's own sign-out and landing page.
 */
export async function startDjangoSsoGateway(options: StartDjangoSsoGatewayOptions): Promise<DjangoSsoGateway> {
  const host = options.host ?? '127.0.0.1';
  const mountPath = (options.mountPath ?? '').replace(/\/+$/, '');
  const eventTimeoutMs = options.eventTimeoutMs ?? DEFAULT_EVENT_TIMEOUT_MS;
  const log = options.log ?? ((line: string) => console.warn(line));
  const services = options.services.map(
    (service): Required<DjangoSsoService> => ({
      token: service.token,
      // Assumed: a trailing slash is dropped; the package would build `https://app//sso/accept/`.
      baseUrl: service.baseUrl.replace(/\/+$/, ''),
      name: service.name ?? service.baseUrl,
      enabled: service.enabled ?? true,
    }),
  );
  const users: GatewayUser[] = (options.users ?? SEEDED_SSO_USERS).map((user) => ({ ...user }));
  const requests = new Map<string, AuthenticationRequest>();
  /** Gateway session id → the user's `id` (Django keeps the user's primary key, so renames keep sessions). */
  const sessions = new Map<string, string>();
  const deliveries: EventDelivery[] = [];
  let legacyMakeUsed = options.legacyMakeUsed ?? false;

  const enabledService = (token: string): Required<DjangoSsoService> | undefined =>
    token === '' ? undefined : services.find((service) => service.enabled && service.token === token);
  const userByKey = (key: string): GatewayUser | undefined =>
    users.find((user) => user.id === key) ?? users.find((user) => user.identy === key);
  const requireUser = (key: string): GatewayUser => {
    const user = userByKey(key);
    if (!user) throw new TypeError(`django-sso stand-in: no user "${key}"`);
    return user;
  };
  const endSessionsOf = (user: GatewayUser): void => {
    for (const [sid, userId] of sessions) if (userId === user.id) sessions.delete(sid);
  };

  /** `Service._send_event`: one POST, awaited, failures logged and forgotten. */
  const send = async <T extends SsoEventType>(
    service: Required<DjangoSsoService>,
    type: T,
    data: SsoEventData<T>,
  ): Promise<EventDelivery> => {
    const delivery = await deliverSsoEvent(service.baseUrl, ssoEvent(type, service.token, data), eventTimeoutMs);
    deliveries.push(delivery);
    if (!delivery.accepted) {
      log(`django-sso stand-in: ${type} to ${service.baseUrl} failed (${delivery.status ?? 'no answer'}): ${delivery.detail}`);
    }
    return delivery;
  };
  /** `Service.cast_event_to_all_services`: one service after the other, in registration order. */
  const cast = async <T extends SsoEventType>(
    type: T,
    data: SsoEventData<T>,
    except?: Required<DjangoSsoService>,
  ): Promise<EventDelivery[]> => {
    const sent: EventDelivery[] = [];
    for (const service of services) {
      if (service.enabled && service !== except) sent.push(await send(service, type, data));
    }
    return sent;
  };

  const root = (): string => `${origin}${mountPath}`;

  /**
   * The package's `LoginView.get_success_url` for a signed-in user: activate the request (bind
   * the user, mark it authenticated, send `update_account` to its service and wait for that)
   * and send the browser to the service's `/sso/accept/`.
   */
  const afterSignIn = async (user: GatewayUser, token: string): Promise<string> => {
    const request = token === '' ? undefined : requests.get(token);
    // Assumed: a request the gateway does not know names no service to go back to, so the
    // browser stays on the gateway (the package's `welcome` page), as the 1.x code does.
    if (!request) return `${root()}/__welcome/`;
    // Assumed: a request already used (or of a service since disabled) is the "error after the
    // authorization at the gateway" the 3.x README sends to `/?sso_broken_token=true`.
    if (request.used || !request.service.enabled) return `${request.service.baseUrl}/?sso_broken_token=true`;
    request.userIdenty = user.identy;
    request.authenticated = true;
    // A failed delivery does not stop the sign-in: 3.x's `_send_event` logs and returns, so the
    // browser reaches `/sso/accept/` even when the service never got the account's fields.
    await send(request.service, 'update_account', { fields: accountFields(user) });
    return `${request.service.baseUrl}/sso/accept/`;
  };

  const signedInUser = (req: IncomingMessage): { sid: string; user: GatewayUser } | undefined => {
    const sid = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    const userId = sid === undefined ? undefined : sessions.get(sid);
    const user = userId === undefined ? undefined : users.find((candidate) => candidate.id === userId);
    return sid !== undefined && user ? { sid, user } : undefined;
  };

  /** Every endpoint's first check: a service token given, of an enabled service. */
  const serviceOf = (form: Form): Required<DjangoSsoService> | JsonAnswer => {
    if (form.get('token') === '') return error(MESSAGES.tokenMissing);
    return enabledService(form.get('token')) ?? error(MESSAGES.serviceUnknown);
  };
  /**
   * `get/` and `make_used/`: the service's checks, then
   * `AuthenticationRequest.objects.filter(token=..., service=..., authenticated=True, used=False)`.
   */
  const usableRequestOf = (form: Form, notFoundStatus: number): AuthenticationRequest | JsonAnswer => {
    const service = serviceOf(form);
    if (isAnswer(service)) return service;
    const token = form.get('authentication_token');
    if (token === '') return error(MESSAGES.authenticationTokenMissing);
    const request = requests.get(token);
    return request && request.service === service && request.authenticated && !request.used
      ? request
      : error(MESSAGES.requestUnknown, notFoundStatus);
  };

  // Assumed: when several fields are wrong, the order of the checks (so which error is
  // answered) may differ from the package's; a service sees an error either way.
  const api: Record<string, (form: Form) => Promise<JsonAnswer>> = {
    async 'sso/obtain/'(form) {
      const service = serviceOf(form);
      if (isAnswer(service)) return service;
      if (form.get('next_url') === '') return error(MESSAGES.nextUrlMissing);
      const request: AuthenticationRequest = {
        token: randomToken(),
        service,
        // Stored as given: the package does not check that it is relative.
        nextUrl: form.get('next_url'),
        userIdenty: '',
        authenticated: false,
        used: false,
      };
      requests.set(request.token, request);
      return ok({ token: request.token });
    },
    async 'sso/get/'(form) {
      const request = usableRequestOf(form, 200);
      if (isAnswer(request)) return request;
      return ok({ authenticated: true, user_identy: request.userIdenty, next_url: request.nextUrl });
    },
    async 'sso/make_used/'(form) {
      // The one error the package answers with another status than 200.
      const request = usableRequestOf(form, 404);
      if (isAnswer(request)) return request;
      // Older gateways set `authenticated = True` here instead of `used = True`.
      if (!legacyMakeUsed) request.used = true;
      return ok({ ok: true });
    },
    async 'sso/deauthenticate/'(form) {
      // Assumed: an unknown service token is refused like on the other endpoints (the package
      // does not check it here and fails with a 500 once it excludes the requester).
      const service = serviceOf(form);
      if (isAnswer(service)) return service;
      if (form.get('user_identy') === '') return error(MESSAGES.userIdentyMissing);
      const user = users.find((candidate) => candidate.identy === form.get('user_identy'));
      // An unknown user is not an error: there is nothing to end.
      if (user) {
        endSessionsOf(user);
        await cast('deauthenticate', { user_identy: user.identy }, service);
      }
      return ok({ ok: true });
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    if (!url.pathname.startsWith(`${mountPath}/`)) return notFound(res);
    const path = url.pathname.slice(mountPath.length + 1);

    const endpoint = api[path];
    if (endpoint) {
      // Django's View answers 405 with an empty body to any method it does not define.
      if (req.method !== 'POST') return notAllowed(res, 'POST');
      const answer = await endpoint(await readForm(req));
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      return;
    }

    if (path === 'login/') {
      const token = (url.searchParams.get('sso') ?? '').trim();
      const current = signedInUser(req);
      // The package's LoginView.dispatch: someone already signed in here is not asked again.
      if (current) return redirect(res, await afterSignIn(current.user, token));
      if (req.method === 'GET') return html(res, 200, signInPage(url, requests.get(token)?.service, users));
      if (req.method !== 'POST') return notAllowed(res, 'GET, POST');
      const form = await readForm(req);
      const user = users.find((candidate) => candidate.identy === form.get('username'));
      if (!user) return html(res, 400, signInPage(url, requests.get(token)?.service, users, 'Choose one of the accounts below.'));
      // Django's AuthenticationForm refuses inactive users on the same page.
      if (!user.isActive) return html(res, 200, signInPage(url, requests.get(token)?.service, users, 'This account is inactive.'));
      const sid = randomUUID();
      sessions.set(sid, user.id);
      res.setHeader('set-cookie', serializeCookie(SESSION_COOKIE, sid, { httpOnly: true, sameSite: 'lax', path: `${mountPath}/` }));
      // Django's login() saves `last_login`, whose post_save signal sends `update_account` to
      // every enabled service; then get_success_url activates the request, which sends it
      // again to the requesting service. Both are awaited before the redirect.
      await cast('update_account', { fields: accountFields(user) });
      return redirect(res, await afterSignIn(user, token));
    }

    if (path === 'logout/') {
      if (req.method !== 'POST') return notAllowed(res, 'POST');
      const current = signedInUser(req);
      res.setHeader('set-cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: `${mountPath}/`, maxAge: 0 }));
      if (current) {
        sessions.delete(current.sid);
        // Django's user_logged_out signal: `deauthenticate` to every enabled service.
        await cast('deauthenticate', { user_identy: current.user.identy });
      }
      return redirect(res, `${root()}/login/`);
    }

    if (path === '__welcome/' && req.method === 'GET') {
      return html(res, 200, welcomePage(signedInUser(req)?.user));
    }
    // Assumed: a path without its trailing slash is not found (Django's APPEND_SLASH would
    // redirect a GET and fail a POST).
    notFound(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('django-sso stand-in:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Server Error (500)');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: root(),
    get users() {
      return users;
    },
    get legacyMakeUsed() {
      return legacyMakeUsed;
    },
    set legacyMakeUsed(on: boolean) {
      legacyMakeUsed = on;
    },
    deliveries,
    loginUrl: (authenticationToken) => `${root()}/login/?sso=${encodeURIComponent(authenticationToken)}`,
    async saveUser(key, changes) {
      const user = requireUser(key);
      const sent: EventDelivery[] = [];
      if (changes.identy !== undefined && changes.identy !== user.identy) {
        if (users.some((other) => other !== user && other.identy === changes.identy)) {
          throw new TypeError(`django-sso stand-in: identy "${changes.identy}" is taken`);
        }
        sent.push(...(await cast('change_user_identy', { old: user.identy, new: changes.identy })));
      }
      Object.assign(user, changes);
      sent.push(...(await cast('update_account', { fields: accountFields(user) })));
      return sent;
    },
    async deleteUser(key) {
      const user = requireUser(key);
      endSessionsOf(user);
      users.splice(users.indexOf(user), 1);
      // The package's post_delete signal sends `delete_user` only (not `deauthenticate`).
      return cast('delete_user', { user_identy: user.identy });
    },
    async signOut(key) {
      const user = requireUser(key);
      endSessionsOf(user);
      return cast('deauthenticate', { user_identy: user.identy });
    },
    updateFields: (userIdentities, fields) => cast('update_fields', { fields, user_identities: userIdentities }),
    sessionCount(key) {
      const user = userByKey(key);
      return user ? [...sessions.values()].filter((userId) => userId === user.id).length : 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((closeError) => (closeError ? reject(closeError) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A POST body's fields, trimmed; a missing one reads as '' (`request.POST.get(name, '').strip()`). */
interface Form {
  get(name: string): string;
}

interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

const ok = (body: Record<string, unknown>): JsonAnswer => ({ status: 200, body });
const isAnswer = (value: object): value is JsonAnswer => 'body' in value;
const error = (message: string, status = 200): JsonAnswer => ({ status, body: { error: message } });

/**
 * Reads `request.POST` as Django does: form-urlencoded or multipart bodies (the seed's Next.js
 * app sends FormData, which is multipart); any other body, a malformed one or one over
 * MAX_FORM_BYTES reads as no fields at all.
 */
async function readForm(req: IncomingMessage): Promise<Form> {
  const fields = new Map<string, string>();
  const form: Form = { get: (name) => fields.get(name) ?? '' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return form;
    chunks.push(chunk);
  }
  const contentType = req.headers['content-type'] ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) return form;
  try {
    const parsed = await new Response(Buffer.concat(chunks), { headers: { 'content-type': contentType } }).formData();
    // Django's QueryDict.get returns the last value of a repeated field.
    for (const [name, value] of parsed) if (typeof value === 'string') fields.set(name, value.trim());
  } catch {
    fields.clear();
  }
  return form;
}

function randomToken(): string {
  let token = '';
  for (let i = 0; i < TOKEN_LENGTH; i += 1) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return token;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location }).end();
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { allow }).end();
}

function notFound(res: ServerResponse): void {
  html(res, 404, page('Not Found', '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>'));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
}

function signInPage(url: URL, service: Required<DjangoSsoService> | undefined, users: readonly GatewayUser[], problem?: string): string {
  const buttons = users
    .map(
      (user) =>
        `<li><button type="submit" name="username" value="${escapeHtml(user.identy)}">` +
        `Sign in as ${escapeHtml(user.name)} (${escapeHtml(roleLabel(user))})</button></li>`,
    )
    .join('');
  const action = `${url.pathname}${url.search}`;
  return page(
    'Sign in',
    '<h1>Sign in</h1>' +
      (service ? `<p>to continue to <strong>${escapeHtml(service.name)}</strong>.</p>` : '') +
      '<p>This is the local django-sso stand-in: pick an account.</p>' +
      (problem === undefined ? '' : `<p role="alert">${escapeHtml(problem)}</p>`) +
      // Assumed: no password and no CSRF token; the package's page is Django's LoginView form.
      `<form method="post" action="${escapeHtml(action)}"><ul>${buttons}</ul></form>`,
  );
}

function welcomePage(user: GatewayUser | undefined): string {
  return page(
    'Single Sign-On',
    '<h1>Single Sign-On</h1>' +
      (user
        ? `<p>Signed in as <strong>${escapeHtml(user.name)}</strong> (${escapeHtml(user.identy)}).</p>` +
          '<form method="post" action="../logout/"><button type="submit">Sign out</button></form>'
        : '<p>You are not signed in. Go back to the app and sign in from there.</p>'),
  );
}

function roleLabel(user: GatewayUser): string {
  if (user.isSuperuser) return 'superuser';
  return user.isStaff ? 'staff' : 'student';
}

function page(title: string, body: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`
  );
}
