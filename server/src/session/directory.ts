import type { SessionData } from 'express-session';
import type { Person, User } from '@porter/shared';
import type { Config } from '../config.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import { sessionTimes, signedIn } from './data.js';
import { hasExpired } from './lifetime.js';
import { PeopleDirectory } from './people.js';
import { RoleCounts } from './role-counts.js';

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
 * Every session across users and instances, found without scanning: by user (`sub`), by
 * Campus One session (`sid`), and by role (`RoleCounts`, for counting). User and `sid` entries
 * are scored by the session's absolute expiry, so stale entries are pruned by score; entries for
 * sessions that ended early are dropped when a listing finds their session gone. The admin API,
 * back-channel logout, webhooks and reports work here; one request's own session is
 * `SessionLifecycle`'s (session/lifecycle.ts), which keeps these indexes up to date.
 */
export class SessionDirectory {
  private readonly roleCounts: RoleCounts;
  private readonly people: PeopleDirectory;

  constructor(
    private readonly config: Config,
    private readonly kv: Kv,
    private readonly keys: Keys,
    private readonly now: () => number,
  ) {
    this.roleCounts = new RoleCounts(kv, keys, config.session.absoluteTimeoutMs, now);
    this.people = new PeopleDirectory(kv, keys, config.session.absoluteTimeoutMs, now);
  }

  /**
   * Saves a new session with `save` and then indexes it and records its person, in that order as
   * the store applies them (`Kv.inOrder`: in one round trip where one connection carries both).
   * The other order has a hole: a listing in between (a webhook, an admin revoke) would find the
   * entry's session missing and prune it, and no revocation would find the session saved next.
   * `save` must send its write before it first awaits. Rejects with the first failure.
   */
  saveAndIndex(id: string, data: Pick<SessionData, 'user' | 'providerSid' | 'lastTouchedAt' | 'absoluteExpiresAt'>, save: () => Promise<void>): Promise<void> {
    return this.kv.inOrder(save, async () => {
      await Promise.all([this.index(id, data), this.recordPerson(data.user)]);
    });
  }

  /**
   * Adds a saved session to the indexes: its user, its Campus One session, its role's count.
   * Only `saveAndIndex` calls it in the product; the scale benchmark fills Redis through it too.
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

  /**
   * After a step-up changed a session's Campus One session (`data.providerSid`, saved already):
   * indexed under the new `sid`, then no longer under `previousSid`.
   */
  async movedProviderSession(id: string, data: Pick<SessionData, 'providerSid' | 'absoluteExpiresAt'>, previousSid: string | null): Promise<void> {
    if (data.providerSid) await this.kv.zAdd(this.keys.providerSessions(data.providerSid), data.absoluteExpiresAt, id, this.config.session.absoluteTimeoutMs);
    if (previousSid) await this.kv.zRem(this.keys.providerSessions(previousSid), id);
  }

  /** Remembers a person who signed in, for `searchPeople`. */
  async recordPerson(user: User): Promise<void> {
    await this.people.record(user);
  }

  /** Runs `writes` and resolves once a replica holds them (on Sentinel; `Kv.durably`), so a failover cannot lose them. */
  durably<T>(writes: () => Promise<T>): Promise<T> {
    return this.kv.durably(writes);
  }

  /** After a session's idle expiry moved: its role count follows it. */
  async touched(id: string, data: SessionData): Promise<void> {
    await this.roleCounts.touched(id, data.user.role, sessionTimes(data, this.config.session.idleTimeoutMs).expiresAt);
  }

  /** True while the store holds session `id`. */
  holds(id: string): Promise<boolean> {
    return this.kv.exists(this.keys.session(id));
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

  /** Takes an ended session out of the indexes. */
  async unindex(id: string, data: Pick<SessionData, 'user' | 'providerSid'>): Promise<void> {
    await this.kv.zRem(this.keys.userSessions(data.user.sub), id);
    if (data.providerSid) await this.kv.zRem(this.keys.providerSessions(data.providerSid), id);
    await this.roleCounts.remove(id, data.user.role);
  }
}

function aboutUser(sessions: readonly LiveSession[]): Omit<SessionsChanged, 'sessions'> {
  const newest = sessions[0]?.data.user;
  return { name: newest?.name ?? null, previousRole: newest?.role ?? null };
}
