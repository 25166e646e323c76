import { NO_ROLE } from '@porter/shared';
import type { Keys } from '../store/keys.js';
import type { Kv } from '../store/kv.js';

/**
 * Expired entries one write removes at most. Each write adds one entry and may remove this many,
 * so stale entries cannot pile up, and no call does work proportional to the number of sessions.
 */
const PRUNE_PER_WRITE = 100;

/**
 * Live sessions by role, counted at a cost that does not grow with the number of sessions: per
 * role, a sorted set of session ids scored by when the session ends at the latest (its idle
 * expiry, capped by its absolute one), and a hash naming the roles. A count is one `ZCOUNT` per
 * role from now (O(log n)): an entry past its score is not counted, pruned or not. The score
 * follows the session's own expiry: a touch raises it, so a session left idle stops counting when
 * its key expires; a session ended early (sign-out, revocation, role change) is removed at once.
 */
export class RoleCounts {
  constructor(
    private readonly kv: Kv,
    private readonly keys: Keys,
    /** The longest a session lives (the absolute timeout), in ms: each set lives at least this long after its newest entry. */
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  /** A new (or newly roled) session, alive until `expiresAt` (ms since epoch) unless touched. */
  async add(id: string, role: string | null, expiresAt: number): Promise<void> {
    const key = this.keys.liveSessionsOfRole(roleName(role));
    await this.kv.zRemBelow(key, this.now(), PRUNE_PER_WRITE);
    await this.kv.zAdd(key, expiresAt, id, this.lifetimeMs);
    await this.kv.hIncrBy(this.keys.liveRoles(), { [roleName(role)]: 0 }, this.lifetimeMs);
  }

  /**
   * The session's idle expiry moved to `expiresAt`. Only raises an entry that is there: a touch
   * racing a revocation or a role change never puts back the entry they removed.
   */
  async touched(id: string, role: string | null, expiresAt: number): Promise<void> {
    await this.kv.zRaise(this.keys.liveSessionsOfRole(roleName(role)), expiresAt, id);
  }

  async remove(id: string, role: string | null): Promise<void> {
    await this.kv.zRem(this.keys.liveSessionsOfRole(roleName(role)), id);
  }

  /** Live sessions now, by role; roles with none are left out. */
  async counts(): Promise<Record<string, number>> {
    const now = this.now();
    const roles = Object.keys(await this.kv.hGetAll(this.keys.liveRoles()));
    const counted = await Promise.all(roles.map(async (role) => [role, await this.kv.zCount(this.keys.liveSessionsOfRole(role), now)] as const));
    return Object.fromEntries(counted.filter(([, count]) => count > 0));
  }
}

function roleName(role: string | null): string {
  return role ?? NO_ROLE;
}
