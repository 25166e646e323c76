import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { Person, SignInMethod, User } from '@porter/shared';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/sealer.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { sessionTimes, signedIn, type StoredTokens } from './data.js';
import { hasExpired } from './lifetime.js';
import { PeopleDirectory } from './people.js';
import { RoleCounts } from './role-counts.js';

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

/** A stored session of someone other than the requester, as the admin API and webhooks see it. */
export interface LiveSession {
  id: string;
  data: SessionData;
}

/** What a change to a user's sessions did, for the reports. */
export interface SessionsChanged {
  sessions: number;
  /** The user's name as their sessions knew it, when they had any. */
  name: string | null;
  /** Their role before the change, when they had any session. */
  previousRole: string | null;
}

interface RoleMove {
  before: string | null;
  after: string | null;
  /** When the session ends at the latest (idle or absolute), its score in the role counts. */
  expiresAt: number;
}

/**
 * Session lifecycle on top of express-session, and the indexes that let Porter find sessions
 * without scanning: by user (`sub`), by Campus One session (`sid`), and by role (`RoleCounts`,
 * for counting). User and `sid` entries are scored by the session's absolute expiry, so stale
 * entries are pruned by score; entries for sessions that ended early are dropped when a listing
 * finds their session gone.
 */
export class Sessions {
  private readonly roleCounts: RoleCounts;
  private readonly people: PeopleDirectory;

  constructor(
    private readonly config: Config,
    private readonly kv: Kv,
    private readonly keys: Keys,
    private readonly tokenSealer: Sealer,
    private readonly now: () => number,
  ) {
    this.roleCounts = new RoleCounts(kv, keys, config.session.absoluteTimeoutMs, now);
    this.people = new PeopleDirectory(kv, keys, config.session.absoluteTimeoutMs);
  }

  /** After a sign-in: a fresh session id (no fixation), the user and sealed tokens stored, indexed. */
  async begin(req: Request, init: NewSession): Promise<void> {
    const previous = signedInData(req);
    const previousId = req.sessionID;
    await promisify((done) => req.session.regenerate(done));
    if (previous) await this.unindex(previousId, previous);
    const now = this.now();
    const data = {
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
    } satisfies Omit<SessionData, 'cookie'>;
    Object.assign(req.session, data);
    await promisify((done) => req.session.save(done));
    // Saved, then indexed. The other order has a hole: a listing in between (a webhook, an admin
    // revoke) finds the entry's session missing and prunes it, and the session saved next is
    // one that no revocation finds. A session that cannot be indexed is destroyed instead, which
    // takes it off the request: express-session then sends no cookie, so even when Redis cannot
    // delete it either, nobody holds the id of a session that no revocation can reach.
    // On Sentinel, a sign-in is acknowledged only once a replica holds it, so a failover cannot lose it.
    try {
      await this.index(req.sessionID, data);
      await this.people.record(init.user);
      await this.kv.replicated();
    } catch (err) {
      await promisify((done) => req.session.destroy(done)).catch(() => {});
      throw err;
    }
  }

  /**
   * Adds a saved session to the indexes: its user, its Campus One session, its role's count.
   * Only `begin` calls it in the product; the scale benchmark fills Redis through it too.
   */
  async index(id: string, data: Pick<SessionData, 'user' | 'providerSid' | 'lastTouchedAt' | 'absoluteExpiresAt'>): Promise<void> {
    const lifetime = this.config.session.absoluteTimeoutMs;
    const score = data.absoluteExpiresAt;
    await Promise.all([
      this.kv.zAdd(this.keys.userSessions(data.user.sub), score, id, lifetime),
      data.providerSid && this.kv.zAdd(this.keys.providerSessions(data.providerSid), score, id, lifetime),
      this.roleCounts.add(id, data.user.role, sessionTimes(data, this.config.session.idleTimeoutMs).expiresAt),
    ]);
  }

  /** Ends the request's session, if it has one, in the store and in the indexes. */
  async end(req: Request): Promise<void> {
    const data = signedInData(req);
    if (!data) return;
    const id = req.sessionID;
    await promisify((done) => req.session.destroy(done));
    await this.unindex(id, data);
  }

  async tokens(req: Request): Promise<StoredTokens | null> {
    return req.session.tokens ? this.tokenSealer.open<StoredTokens>(req.session.tokens) : null;
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
    if (data) await this.roleCounts.touched(req.sessionID, data.user.role, sessionTimes(data, this.config.session.idleTimeoutMs).expiresAt);
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
      if (!(await this.kv.exists(this.keys.session(req.sessionID)))) return false;
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

  /** The live sessions of one user, newest first, pruning index entries whose session is gone. */
  async ofUser(sub: string): Promise<LiveSession[]> {
    const live = await this.liveIn(this.keys.userSessions(sub));
    return live.sort((a, b) => b.data.createdAt - a.data.createdAt);
  }

  /** The live sessions an index (a sorted set of session ids) names, pruning the entries of ended ones. */
  private async liveIn(indexKey: string): Promise<LiveSession[]> {
    const now = this.now();
    await this.kv.zRemBelow(indexKey, now);
    // One user's sessions, read all at once: a round trip's wait, not one per session.
    const found = await Promise.all(
      (await this.kv.zRangeFrom(indexKey, now)).map(async (id) => {
        const data = await this.read(id);
        if (!data) await this.kv.zRem(indexKey, id);
        return data ? { id, data } : null;
      }),
    );
    return found.filter((session) => session !== null);
  }

  /** Ends every session of one user, on every instance at once. */
  async endAllOfUser(sub: string): Promise<SessionsChanged> {
    return this.endEach(await this.ofUser(sub));
  }

  /** Ends the given live sessions (as `ofUser` found them), on every instance at once. */
  async endSome(sessions: readonly LiveSession[]): Promise<SessionsChanged> {
    return this.endEach(sessions);
  }

  /**
   * Ends the sessions that came from one Campus One session. With `sub`, only sessions of that
   * user: a logout token naming both must not end someone else's session.
   */
  async endProviderSession(sid: string, sub: string | null): Promise<SessionsChanged & { sub: string | null }> {
    const found = (await this.liveIn(this.keys.providerSessions(sid))).filter(({ data }) => sub === null || data.user.sub === sub);
    return { ...(await this.endEach(found)), sub: found[0]?.data.user.sub ?? sub };
  }

  /**
   * Applies `edit` to the user of every live session of `sub`, so the next request on any
   * instance sees it. Each session changes in one atomic step, and raises `userRevision` so that
   * a request writing back an older copy keeps this user (see `mergeSessionWrite`).
   */
  async updateUser(sub: string, edit: (user: User) => User): Promise<SessionsChanged> {
    const sessions = await this.ofUser(sub);
    const moves = await Promise.all(
      sessions.map(async ({ id }) => {
        const move = await this.updateOne(id, edit);
        if (move && move.before !== move.after) {
          await this.roleCounts.remove(id, move.before);
          await this.roleCounts.add(id, move.after, move.expiresAt);
        }
        return move;
      }),
    );
    const updated = moves.filter((move) => move !== null).length;
    const newest = sessions[0];
    if (updated > 0 && newest) await this.people.record(edit(newest.data.user));
    return { sessions: updated, ...aboutUser(sessions) };
  }

  /**
   * People with live sessions whose name, a word of it, or email begins with `query`: at most
   * `limit`, each with how many live sessions they hold. Bounded work whatever the campus size.
   */
  async searchPeople(query: string, limit: number): Promise<Array<Person & { sessions: number }>> {
    const found = await Promise.all(
      (await this.people.search(query, limit)).map(async (person) => ({ ...person, sessions: (await this.ofUser(person.sub)).length })),
    );
    return found.filter((person) => person.sessions > 0);
  }

  /** Live sessions now, by the primary role of their user; costs one count per role, however many sessions there are. */
  countByRole(): Promise<Record<string, number>> {
    return this.roleCounts.counts();
  }

  /** A stored session that is signed in and not past its idle expiry, or `null`. */
  private async read(id: string): Promise<SessionData | null> {
    const stored = await this.kv.get(this.keys.session(id));
    if (stored === null) return null;
    const data = signedIn(JSON.parse(stored) as Partial<SessionData>);
    return data && !hasExpired(data, this.now(), this.config.session.idleTimeoutMs) ? data : null;
  }

  /** The role before and after, when the session was still there to change. */
  private async updateOne(id: string, edit: (user: User) => User): Promise<RoleMove | null> {
    let move: RoleMove | null = null;
    const wrote = await this.kv.update(
      this.keys.session(id),
      (stored) => {
        if (stored === null) return null;
        const data = JSON.parse(stored) as SessionData;
        const user = edit(data.user);
        move = { before: data.user.role, after: user.role, expiresAt: sessionTimes(data, this.config.session.idleTimeoutMs).expiresAt };
        return JSON.stringify({ ...data, user, userRevision: (data.userRevision ?? 0) + 1 } satisfies SessionData);
      },
      'keep',
    );
    return wrote ? move : null;
  }

  private async endEach(sessions: readonly LiveSession[]): Promise<SessionsChanged> {
    await Promise.all(
      sessions.map(async ({ id, data }) => {
        await this.kv.del(this.keys.session(id));
        await this.unindex(id, data);
      }),
    );
    return { sessions: sessions.length, ...aboutUser(sessions) };
  }

  private async unindex(id: string, data: Pick<SessionData, 'user' | 'providerSid'>): Promise<void> {
    await this.kv.zRem(this.keys.userSessions(data.user.sub), id);
    if (data.providerSid) await this.kv.zRem(this.keys.providerSessions(data.providerSid), id);
    await this.roleCounts.remove(id, data.user.role);
  }
}

/** The request's session data when it is signed in; `providerSid` may be missing in older sessions. */
function signedInData(req: Request): Pick<SessionData, 'user' | 'providerSid'> | null {
  return req.session.user ? { user: req.session.user, providerSid: req.session.providerSid ?? null } : null;
}

function aboutUser(sessions: readonly LiveSession[]): Omit<SessionsChanged, 'sessions'> {
  const newest = sessions[0]?.data.user;
  return { name: newest?.name ?? null, previousRole: newest?.role ?? null };
}

function promisify(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}
