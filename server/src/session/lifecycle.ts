import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import { ErrorCode, type SignInMethod, type User } from '@porter/shared';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/sealer.js';
import { AppError } from '../errors.js';
import { signedIn, type StoredTokens } from './data.js';
import type { SessionDirectory } from './directory.js';
import type { NewSessions } from './middleware.js';

export interface NewSession {
  user: User;
  tokens: StoredTokens;
  accessTokenExpiresAt: number | null;
  providerSid: string | null;
  /** The id_token's `auth_time` in ms since epoch, or `null`. */
  authTime: number | null;
  /** A short label from the User-Agent (`deviceLabel`). */
  device: string;
  signInMethod: SignInMethod;
}

/**
 * One request's own session, on top of express-session: begin it after a sign-in, end it, read
 * and replace its tokens (sealed at rest), reload it, and the writes the read path and token
 * refresh need. Each change keeps the indexes across sessions (`SessionDirectory`) up to date.
 */
export class SessionLifecycle {
  constructor(
    private readonly config: Config,
    private readonly directory: SessionDirectory,
    private readonly tokenSealer: Sealer,
    private readonly newSessions: NewSessions,
    private readonly now: () => number,
  ) {}

  /**
   * After a sign-in: a fresh session id (no fixation), the user and sealed tokens stored,
   * indexed, and its cookie on `res`. The session is begun here (`NewSessions`), whether or not
   * express-session ran on this request (app.ts): a session the browser brought is ended first.
   */
  async begin(req: Request, res: Response, init: NewSession): Promise<void> {
    const data = await this.newSessionData(init);
    if ((req as Partial<Request>).session) await this.endBrought(req);
    // Saved, then indexed (SessionDirectory.saveAndIndex). A session that cannot be indexed is
    // destroyed instead, and its cookie never sent, so even when Redis cannot delete it either,
    // nobody holds the id of a session that no revocation can reach. Its index writes leave with
    // its save, so they may have landed when the save failed: they are taken out too, or the
    // role counts would count a session that is not there.
    // On Sentinel, a sign-in is acknowledged only once a replica holds it, so a failover cannot lose it.
    // NewSessions.save sends its SET before it first awaits.
    const id = this.newSessions.newId();
    try {
      await this.directory.durably(() => this.directory.saveAndIndex(id, data, () => this.newSessions.save(id, data)));
    } catch (err) {
      await Promise.allSettled([this.newSessions.destroy(id), this.directory.unindex(id, data)]);
      throw err;
    }
    this.newSessions.sendCookie(res, id);
  }

  /**
   * Ends the session the browser brought to its sign-in and takes it off the request, id and
   * all, so express-session writes nothing when the response ends. Its regenerate would leave a
   * session there that it saves again then, one it never read from the store: a revocation in
   * between (a webhook, a back-channel logout) would find it deleted and unindexed, and that
   * save would bring it back, unindexed, for good.
   */
  private async endBrought(req: Request): Promise<void> {
    const previous = signedInData(req);
    const previousId = req.sessionID;
    await promisify((done) => req.session.destroy(done));
    delete (req as { sessionID?: string }).sessionID;
    if (previous) await this.directory.unindex(previousId, previous);
  }

  /** What a new session stores: the user, the sealed tokens, and when it began. */
  private async newSessionData(init: NewSession): Promise<Omit<SessionData, 'cookie'>> {
    const now = this.now();
    return {
      user: init.user,
      tokens: await this.tokenSealer.seal(init.tokens),
      accessTokenExpiresAt: init.accessTokenExpiresAt,
      providerSid: init.providerSid,
      authTime: init.authTime,
      device: init.device,
      signInMethod: init.signInMethod,
      createdAt: now,
      lastTouchedAt: now,
      absoluteExpiresAt: now + this.config.session.absoluteTimeoutMs,
    };
  }

  /**
   * After a step-up (a fresh authentication at Campus One for the person already signed in): the
   * session keeps its id and its user, and gains the new `auth_time` and the fresh tokens (raising
   * `tokensRevision`, so a request writing back an older copy keeps them). False, changing
   * nothing, when the request has no signed-in session to step up: the caller then begins one.
   * Throws 403 `porter/step_up_wrong_user` when Campus One signed in someone else: the session
   * stays as it was, and the fresh tokens are dropped.
   */
  async stepUp(req: Request, fresh: NewSession): Promise<boolean> {
    // A browser that brought no session cookie has no session here (app.ts), so none to step up.
    const current = (req as Partial<Request>).session ? signedIn(req.session) : null;
    if (!current) return false;
    if (fresh.user.sub !== current.user.sub) {
      throw new AppError(
        403,
        ErrorCode.StepUpWrongUser,
        `You signed in again as someone else. To go ahead, sign in again as ${current.user.name}; to act as another person, sign out first.`,
      );
    }
    const previousSid = current.providerSid ?? null;
    req.session.authTime = fresh.authTime;
    req.session.providerSid = fresh.providerSid;
    await this.directory.durably(async () => {
      await this.replaceTokens(req, fresh.tokens, fresh.accessTokenExpiresAt);
      // Back-channel logout finds sessions by Campus One's `sid`, which a new authentication may change.
      if (fresh.providerSid !== previousSid) {
        await this.directory.movedProviderSession(req.sessionID, { providerSid: fresh.providerSid, absoluteExpiresAt: current.absoluteExpiresAt }, previousSid);
      }
    });
    return true;
  }

  /** Ends the request's session, if it has one, in the store and in the indexes. */
  async end(req: Request): Promise<void> {
    const data = signedInData(req);
    if (!data) return;
    const id = req.sessionID;
    await promisify((done) => req.session.destroy(done));
    await this.directory.unindex(id, data);
  }

  async tokens(req: Request): Promise<StoredTokens | null> {
    return req.session.tokens ? this.openTokens(req.session.tokens) : null;
  }

  /** A session's tokens from their sealed form (`SessionData.tokens`); `null` when they do not open. */
  openTokens(sealed: string): Promise<StoredTokens | null> {
    return this.tokenSealer.open<StoredTokens>(sealed);
  }

  /** After a refresh; raises `tokensRevision` so that a request writing back an older copy keeps these (see `mergeSessionWrite`). */
  async replaceTokens(req: Request, tokens: StoredTokens, accessTokenExpiresAt: number | null): Promise<void> {
    req.session.tokens = await this.tokenSealer.seal(tokens);
    req.session.accessTokenExpiresAt = accessTokenExpiresAt;
    req.session.tokensRevision = (req.session.tokensRevision ?? 0) + 1;
    delete req.session.refreshRetryAt;
    await promisify((done) => req.session.save(done));
  }

  /** After the request moved its session's idle expiry: the role counts follow it. */
  async touched(req: Request): Promise<void> {
    const data = signedIn(req.session);
    if (data) await this.directory.touched(req.sessionID, data);
  }

  /**
   * Re-reads the session from the store, dropping what this request changed in memory. False
   * when the store no longer holds it: it was ended meanwhile (and the request's copy is stale).
   */
  async reload(req: Request): Promise<boolean> {
    try {
      await promisify((done) => req.session.reload(done));
      return true;
    } catch (err) {
      // express-session fails a reload of a session the store no longer has.
      if (!(await this.directory.holds(req.sessionID))) return false;
      throw err;
    }
  }

  /**
   * Marks the session as one that is never refreshed (stored before sign-in began recording
   * `null` for sessions without a refresh token), so it stops being due. Written with the request.
   */
  neverRefresh(req: Request): void {
    req.session.accessTokenExpiresAt = null;
  }

  /** After a failed refresh: no other is tried before `retryAt` (ms since epoch). Written now. */
  async deferRefresh(req: Request, retryAt: number): Promise<void> {
    req.session.refreshRetryAt = retryAt;
    await promisify((done) => req.session.save(done));
  }
}

/** The request's session data when it is signed in; `providerSid` may be missing in older sessions. */
function signedInData(req: Request): Pick<SessionData, 'user' | 'providerSid'> | null {
  return req.session.user ? { user: req.session.user, providerSid: req.session.providerSid ?? null } : null;
}

function promisify(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}
