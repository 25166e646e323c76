import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { NO_ROLE, type User } from '@porter/shared';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/sealer.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { signedIn, type StoredTokens } from './data.js';
import { hasExpired } from './lifetime.js';

export interface NewSession {
  user: User;
  tokens: StoredTokens;
  accessTokenExpiresAt: number | null;
  providerSid: string | null;
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
  /** The session's absolute expiry, its score in the live-session index. */
  expiresAt: number;
}

/** Checks the live-session index in batches, so a report on many sessions does not flood Redis. */
const EXISTS_BATCH = 200;

/**
 * Session lifecycle on top of express-session, and the indexes that let Porter find sessions
 * without scanning: by user (`sub`), by Campus One session (`sid`), and every session with its
 * role (for counting by role). Index entries are scored by the session's absolute expiry, so
 * stale entries are pruned by score; entries for sessions that ended early are dropped when a
 * listing finds their session gone.
 */
export class Sessions {
  constructor(
    private readonly config: Config,
    private readonly kv: Kv,
    private readonly keys: Keys,
    private readonly tokenSealer: Sealer,
    private readonly now: () => number,
  ) {}

  /** After a sign-in: a fresh session id (no fixation), the user and sealed tokens stored, indexed. */
  async begin(req: Request, init: NewSession): Promise<void> {
    const previous = signedInData(req);
    const previousId = req.sessionID;
    await promisify((done) => req.session.regenerate(done));
    if (previous) await this.unindex(previousId, previous);
    const now = this.now();
    Object.assign(req.session, {
      user: init.user,
      tokens: await this.tokenSealer.seal(init.tokens),
      accessTokenExpiresAt: init.accessTokenExpiresAt,
      providerSid: init.providerSid,
      createdAt: now,
      lastTouchedAt: now,
      absoluteExpiresAt: now + this.config.session.absoluteTimeoutMs,
    } satisfies Omit<SessionData, 'cookie'>);
    await promisify((done) => req.session.save(done));
    // Saved, then indexed. The other order has a hole: a listing in between (a webhook, an admin
    // revoke) finds the entry's session missing and prunes it, and the session saved next is
    // one that no revocation finds. A session that cannot be indexed is destroyed instead, which
    // takes it off the request: express-session then sends no cookie, so even when Redis cannot
    // delete it either, nobody holds the id of a session that no revocation can reach.
    try {
      const lifetime = this.config.session.absoluteTimeoutMs;
      const score = now + lifetime;
      await this.kv.zAdd(this.keys.userSessions(init.user.sub), score, req.sessionID, lifetime);
      if (init.providerSid) {
        await this.kv.zAdd(this.keys.providerSessions(init.providerSid), score, req.sessionID, lifetime);
      }
      await this.kv.zAdd(this.keys.liveSessions(), score, liveMember(req.sessionID, init.user.role), lifetime);
    } catch (err) {
      await promisify((done) => req.session.destroy(done)).catch(() => {});
      throw err;
    }
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

  /** Re-reads the session from the store, dropping what this request changed in memory. */
  async reload(req: Request): Promise<void> {
    await promisify((done) => req.session.reload(done));
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
    const live: LiveSession[] = [];
    for (const id of await this.kv.zRangeFrom(indexKey, now)) {
      const data = await this.read(id);
      if (data) live.push({ id, data });
      else await this.kv.zRem(indexKey, id);
    }
    return live;
  }

  /** Ends every session of one user, on every instance at once. */
  async endAllOfUser(sub: string): Promise<SessionsChanged> {
    return this.endEach(await this.ofUser(sub));
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
    let updated = 0;
    for (const { id } of sessions) {
      const move = await this.updateOne(id, edit);
      if (!move) continue;
      updated++;
      if (move.before !== move.after) {
        await this.kv.zRem(this.keys.liveSessions(), liveMember(id, move.before));
        await this.kv.zAdd(this.keys.liveSessions(), move.expiresAt, liveMember(id, move.after), this.config.session.absoluteTimeoutMs);
      }
    }
    return { sessions: updated, ...aboutUser(sessions) };
  }

  /** Live sessions now, by the primary role of their user; prunes entries of sessions gone. */
  async countByRole(): Promise<Record<string, number>> {
    const key = this.keys.liveSessions();
    const now = this.now();
    await this.kv.zRemBelow(key, now);
    const members = await this.kv.zRangeFrom(key, now);
    const counts: Record<string, number> = {};
    for (let start = 0; start < members.length; start += EXISTS_BATCH) {
      await Promise.all(
        members.slice(start, start + EXISTS_BATCH).map(async (member) => {
          const { id, role } = parseLiveMember(member);
          if (await this.kv.exists(this.keys.session(id))) counts[role] = (counts[role] ?? 0) + 1;
          else await this.kv.zRem(key, member);
        }),
      );
    }
    return counts;
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
        move = { before: data.user.role, after: user.role, expiresAt: data.absoluteExpiresAt };
        return JSON.stringify({ ...data, user, userRevision: (data.userRevision ?? 0) + 1 } satisfies SessionData);
      },
      'keep',
    );
    return wrote ? move : null;
  }

  private async endEach(sessions: readonly LiveSession[]): Promise<SessionsChanged> {
    for (const { id, data } of sessions) {
      await this.kv.del(this.keys.session(id));
      await this.unindex(id, data);
    }
    return { sessions: sessions.length, ...aboutUser(sessions) };
  }

  private async unindex(id: string, data: Pick<SessionData, 'user' | 'providerSid'>): Promise<void> {
    await this.kv.zRem(this.keys.userSessions(data.user.sub), id);
    if (data.providerSid) await this.kv.zRem(this.keys.providerSessions(data.providerSid), id);
    await this.kv.zRem(this.keys.liveSessions(), liveMember(id, data.user.role));
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

// Session ids are base64url (express-session's uid-safe), so the first space ends the id.
function liveMember(id: string, role: string | null): string {
  return `${id} ${role ?? NO_ROLE}`;
}

function parseLiveMember(member: string): { id: string; role: string } {
  const space = member.indexOf(' ');
  return { id: member.slice(0, space), role: member.slice(space + 1) };
}

function promisify(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}
