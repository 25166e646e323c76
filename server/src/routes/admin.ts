import { Router, type RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import {
  ErrorCode,
  REPORT_ROLES,
  SESSION_ADMIN_ROLES,
  type AdminReport,
  type PeopleSearchResponse,
  type RevokeSessionsResponse,
  type SessionSummary,
  type UserSessionsResponse,
} from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { requireCsrfHeader } from '../http/csrf.js';
import { noStore } from '../http/headers.js';
import { requireRecentSignIn } from '../http/require-recent-sign-in.js';
import { requireRole } from '../http/require-role.js';
import { sessionChange, type AuthEvents } from '../reports/auth-events.js';
import { sessionTimes } from '../session/data.js';
import type { SessionDirectory } from '../session/directory.js';

export interface AdminRouterDeps {
  config: Config;
  directory: SessionDirectory;
  authEvents: AuthEvents;
  log: Logger;
  /** ms since the epoch. */
  now: () => number;
}

const MAX_QUERY_LENGTH = 100;
/** People a search answers at most: enough to pick from, never a dump of the directory. */
const SEARCH_LIMIT = 20;

/** Campus One's `sub` is opaque; this bound only keeps absurd input out of Redis keys. */
const MAX_SUB_LENGTH = 255;

/**
 * The session admin API (admins). Every answer is JSON.
 * Reading is open to the role; ending someone's sessions also needs a recent sign-in (step-up).
 */
export function adminRouter(deps: AdminRouterDeps): Router {
  const { config, directory, authEvents, log, now } = deps;
  const router = Router();
  router.use(noStore);

  router.get('/users', requireRole(...SESSION_ADMIN_ROLES), async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    if (query.length > MAX_QUERY_LENGTH) throw new AppError(400, ErrorCode.BadRequest, `The search may be at most ${MAX_QUERY_LENGTH} characters.`);
    const body: PeopleSearchResponse = { people: await directory.searchPeople(query, SEARCH_LIMIT) };
    res.json(body);
  });

  router.get('/users/:sub/sessions', requireRole(...SESSION_ADMIN_ROLES), async (req, res) => {
    const sub = subParam(req.params.sub);
    const live = await directory.ofUser(sub);
    const body: UserSessionsResponse = {
      sub,
      sessions: live.map(({ data }) => summaryOf(data, config.session.idleTimeoutMs)),
    };
    res.json(body);
  });

  router.delete('/users/:sub/sessions', requireRole(...SESSION_ADMIN_ROLES), requireCsrfHeader, requireRecentSignIn(config.stepUpMaxAgeS, now), async (req, res) => {
    const sub = subParam(req.params.sub);
    const actor = req.session.user?.sub ?? null;
    const ended = await directory.endAllOfUser(sub);
    log.info({ sub, actor, sessions: ended.sessions }, 'sessions revoked by an admin');
    await authEvents.record(sessionChange(sub, ended, { source: 'admin', actor }));
    const body: RevokeSessionsResponse = { ok: true, revoked: ended.sessions };
    res.json(body);
  });

  return router;
}

/** Where the reports answer: `GET /api/admin/reports`. */
export const REPORTS_PATH = '/api/admin/reports';

/**
 * `GET /api/admin/reports` (staff and admins), JSON. It only reads its session, so it is mounted
 * before express-session's app-wide middleware, with `session` (`session/read-only.ts`): a report
 * then costs one store read for the session, not express-session's hashing and wrapping too.
 */
export function reportsRouter(deps: { authEvents: AuthEvents; limit: RequestHandler; session: RequestHandler }): Router {
  const router = Router();
  router.get(REPORTS_PATH, deps.limit, deps.session, noStore, requireRole(...REPORT_ROLES), async (_req, res) => {
    const body: AdminReport = await deps.authEvents.report();
    res.json(body);
  });
  return router;
}

function subParam(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_SUB_LENGTH) {
    throw new AppError(400, ErrorCode.BadRequest, `The user id must be Campus One's "sub", 1 to ${MAX_SUB_LENGTH} characters.`);
  }
  return raw;
}

function summaryOf(data: SessionData, idleTimeoutMs: number): SessionSummary {
  const times = sessionTimes(data, idleTimeoutMs);
  return {
    role: data.user.role,
    createdAt: new Date(data.createdAt).toISOString(),
    lastSeenAt: new Date(data.lastTouchedAt).toISOString(),
    expiresAt: new Date(times.expiresAt).toISOString(),
    absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString(),
  };
}
