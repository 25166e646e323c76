import { NO_ROLE } from '@porter/shared';
import type { Keys } from '../store/keys.js';
import type { Kv } from '../store/kv.js';

/**
 * Expired entries of a role one instance removes at most per `PRUNE_EVERY_MS`: bounded work, and
 * far more than sessions can expire in that time, so stale entries cannot pile up.
 */
const PRUNE_LIMIT = 1000;
const PRUNE_EVERY_MS = 1000;
/**
 * How often one instance writes a role into the hash of roles again. The hash lives the sessions'
 * lifetime from each write; writing it on every sign-in only cost Redis commands.
 */
const REGISTER_EVERY_MS = 60_000;

/**
 * Live sessions by role, counted at a cost that does not grow with the number of sessions: per
 * role, a sorted set of session ids scored by when the session ends at the latest (its idle
 * expiry, capped by its absolute one), and a hash naming the roles. A count is one `ZCOUNT` per
 * role from now (O(log n)): an entry past its score is not counted, pruned or not. The score
 * follows the session's own expiry: a touch raises it, so a session left idle stops counting when
 * its key expires; a session ended early (sign-out, revocation, role change) is removed at once.
 */
export class RoleCounts {
  /** Per role, when this instance last pruned its set and last wrote it into the hash of roles (ms since epoch). */
  private readonly lastPruned = new Map<string, number>();
  private readonly lastRegistered = new Map<string, number>();

  constructor(
    private readonly kv: Kv,
    private readonly keys: Keys,
    /** The longest a session lives (the absolute timeout), in ms: each set lives at least this long after its newest entry. */
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  /** A new (or newly roled) session, alive until `expiresAt` (ms since epoch) unless touched. */
  async add(id: string, role: string | null, expiresAt: number): Promise<void> {
    const name = roleName(role);
    const key = this.keys.liveSessionsOfRole(name);
    const now = this.now();
    await Promise.all([
      this.kv.zAdd(key, expiresAt, id, this.lifetimeMs),
      due(this.lastPruned, name, now, PRUNE_EVERY_MS) && this.kv.zRemBelow(key, now, PRUNE_LIMIT),
      due(this.lastRegistered, name, now, REGISTER_EVERY_MS) && this.kv.hIncrBy(this.keys.liveRoles(), { [name]: 0 }, this.lifetimeMs),
    ]);
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

/** True, and noted, when `interval` ms passed since `role` was last due in `last`. */
function due(last: Map<string, number>, role: string, now: number, interval: number): boolean {
  if (now - (last.get(role) ?? -Infinity) < interval) return false;
  last.set(role, now);
  return true;
}

function roleName(role: string | null): string {
  return role ?? NO_ROLE;
}
