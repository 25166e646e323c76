import { Router, type Request } from 'express';
import { ErrorCode, type EndSessionsResponse, type OwnSession, type OwnSessionsResponse } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { requireSameOriginWrite } from '../http/csrf.js';
import { noStore } from '../http/headers.js';
import { sessionTimes } from '../session/data.js';
import type { SessionHandles } from '../session/handles.js';
import type { LiveSession, SessionDirectory } from '../session/directory.js';

export interface OwnSessionsRouterDeps {
  config: Config;
  directory: SessionDirectory;
  handles: SessionHandles;
  log: Logger;
}

/**
 * "Your devices": a signed-in person lists their own live sessions and ends any of them
 * (`/auth/sessions`). Sessions are named by opaque handles, never by id. A handle that is not
 * one of the requester's live sessions answers 404, whoever's it is: no oracle.
 */
export function ownSessionsRouter(deps: OwnSessionsRouterDeps): Router {
  const { config, directory, handles, log } = deps;
  const router = Router();
  router.use(noStore);
  const writeGuard = requireSameOriginWrite(new URL(config.appUrl).origin);

  /** The requester's user and live sessions; 401 when not signed in. */
  const mine = async (req: Request): Promise<{ sub: string; live: LiveSession[] }> => {
    const sub = req.session.user?.sub;
    if (!sub) throw new AppError(401, ErrorCode.Unauthenticated, 'Not signed in.');
    return { sub, live: await directory.ofUser(sub) };
  };

  router.get('/', async (req, res) => {
    const { live } = await mine(req);
    const body: OwnSessionsResponse = {
      sessions: live.map((session) => ownSession(session, req.sessionID, handles, config.session.idleTimeoutMs)),
      lastSeenAccuracyS: Math.round(config.session.touchIntervalMs / 1000),
    };
    res.json(body);
  });

  router.delete('/', ...writeGuard, async (req, res) => {
    if (req.query.others !== '1') {
      throw new AppError(400, ErrorCode.BadRequest, 'Say which sessions to end: /auth/sessions/<handle>, or ?others=1 for all but this one.');
    }
    const { sub, live } = await mine(req);
    const ended = await directory.endSome(live.filter(({ id }) => id !== req.sessionID));
    log.info({ sub, sessions: ended.sessions }, 'signed out everywhere else');
    res.json({ ok: true, ended: ended.sessions } satisfies EndSessionsResponse);
  });

  router.delete('/:handle', ...writeGuard, async (req, res) => {
    const { sub, live } = await mine(req);
    const target = live.find(({ id }) => handles.handleOf(id) === req.params.handle);
    if (!target) throw new AppError(404, ErrorCode.NotFound, 'You have no live session with that handle.');
    const ended = await directory.endSome([target]);
    log.info({ sub, current: target.id === req.sessionID }, 'one session ended by its owner');
    res.json({ ok: true, ended: ended.sessions } satisfies EndSessionsResponse);
  });

  return router;
}

function ownSession({ id, data }: LiveSession, currentId: string, handles: SessionHandles, idleTimeoutMs: number): OwnSession {
  return {
    handle: handles.handleOf(id),
    current: id === currentId,
    device: data.device ?? 'Unknown device',
    signInMethod: data.signInMethod ?? null,
    createdAt: new Date(data.createdAt).toISOString(),
    lastSeenAt: new Date(data.lastTouchedAt).toISOString(),
    expiresAt: new Date(sessionTimes(data, idleTimeoutMs).expiresAt).toISOString(),
  };
}
