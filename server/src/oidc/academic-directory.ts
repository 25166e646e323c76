import { ErrorCode, type AcademicDirectory, type AcademicFaculty } from '@porter/shared';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Keys } from '../store/keys.js';
import type { Kv } from '../store/kv.js';
import { singleFlight, type Locks } from '../store/lock.js';
import { AcademicApiError, fetchFaculties } from './academic-api.js';
import type { CampusOne } from './campus-one.js';

/** A copy is fresh this long: Campus One caches its catalog for an hour, and so may its clients. */
export const DIRECTORY_FRESH_MS = 60 * 60 * 1000;
/** The last good copy is kept this long, to be served (marked stale) while Campus One fails. */
const DIRECTORY_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** After a failed read, every instance answers from what it has this long before trying again. */
export const DIRECTORY_RETRY_MS = 10_000;
/** How often a request waiting for another instance's read looks for its copy. */
const WAIT_POLL_MS = 25;

/** What the store holds: the faculties as read, and when (ms since epoch). */
interface StoredDirectory {
  faculties: AcademicFaculty[];
  fetchedAt: number;
}

export interface AcademicDirectoryDeps {
  campusOne: CampusOne;
  config: Config['campusOne'];
  kv: Kv;
  keys: Keys;
  locks: Locks;
  log: Logger;
  now: () => number;
}

/**
 * Campus One's faculty and department names, cached in the store for an hour and shared by every
 * instance. A read of Campus One is single-flight: on one instance concurrent requests share one
 * promise; across instances the one holding the lock reads while the others wait for its copy
 * in the store. When the read fails, the last good copy is answered marked `stale`; without one,
 * 503 `porter/academic_unavailable`; and nobody tries again for {@link DIRECTORY_RETRY_MS}.
 */
export class AcademicDirectoryCache {
  private inflight: Promise<AcademicDirectory> | null = null;

  constructor(private readonly deps: AcademicDirectoryDeps) {}

  /** A fresh copy from the store, or null (absent or older than an hour). One store read. */
  async fresh(): Promise<AcademicDirectory | null> {
    const stored = await this.stored();
    return stored && this.isFresh(stored) ? this.answer(stored) : null;
  }

  /** The last good copy, stale or not, without asking Campus One; 503 `porter/academic_unavailable` without one. */
  async lastGood(): Promise<AcademicDirectory> {
    return this.fallback(await this.stored());
  }

  /**
   * A fresh copy, reading Campus One with `accessToken` if no instance has one; else the last
   * good copy marked stale. Throws {@link AppError} 503 `porter/academic_unavailable` when there
   * is none, and the store's errors as they are.
   */
  async get(accessToken: string): Promise<AcademicDirectory> {
    this.inflight ??= this.shared(accessToken).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async shared(accessToken: string): Promise<AcademicDirectory> {
    const { kv, keys, locks, config, now } = this.deps;
    // The lock outlives the longest read: Campus One's timeout, and the store writes after it.
    const lockTtlMs = config.timeoutMs + 5_000;
    const waitUntil = now() + lockTtlMs;
    for (;;) {
      const stored = await this.stored();
      if (stored && this.isFresh(stored)) return this.answer(stored);
      if (await kv.exists(keys.academicDirectoryRetry())) return this.fallback(stored);
      const flight = await singleFlight(locks, keys.academicDirectoryLock(), lockTtlMs, () => this.readCampusOne(accessToken));
      if (flight.ran) return flight.value;
      // Another instance is reading Campus One: its copy (or its retry mark) lands in the store.
      if (now() > waitUntil) return this.fallback(stored);
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  /** Under the lock: check again (another holder may just have written), then read Campus One. */
  private async readCampusOne(accessToken: string): Promise<AcademicDirectory> {
    const { kv, keys, campusOne, config, log, now } = this.deps;
    const stored = await this.stored();
    if (stored && this.isFresh(stored)) return this.answer(stored);
    let faculties: AcademicFaculty[];
    try {
      faculties = await fetchFaculties(await campusOne.configuration(), config.apiUrl, accessToken);
    } catch (err) {
      const tokenRefused = err instanceof AcademicApiError && err.tokenRefused;
      log.warn({ code: ErrorCode.AcademicUnavailable, err, hasCopy: stored !== null }, "Campus One's academic API could not be read");
      // A refused token is this user's, not an outage: another user's request may try at once.
      if (!tokenRefused) await kv.set(keys.academicDirectoryRetry(), '1', DIRECTORY_RETRY_MS);
      return this.fallback(stored);
    }
    const fetched: StoredDirectory = { faculties, fetchedAt: now() };
    await kv.set(keys.academicDirectory(), JSON.stringify(fetched), DIRECTORY_KEPT_MS);
    return this.answer(fetched);
  }

  private async stored(): Promise<StoredDirectory | null> {
    const raw = await this.deps.kv.get(this.deps.keys.academicDirectory());
    return raw === null ? null : (JSON.parse(raw) as StoredDirectory);
  }

  private isFresh(stored: StoredDirectory): boolean {
    return this.deps.now() - stored.fetchedAt < DIRECTORY_FRESH_MS;
  }

  private answer(stored: StoredDirectory): AcademicDirectory {
    return { faculties: stored.faculties, fetchedAt: new Date(stored.fetchedAt).toISOString(), stale: !this.isFresh(stored) };
  }

  /** The last good copy (stale), or 503 without one. */
  private fallback(stored: StoredDirectory | null): AcademicDirectory {
    if (stored) return this.answer(stored);
    throw new AppError(503, ErrorCode.AcademicUnavailable, 'Faculty and department names are unavailable right now. Try again shortly.');
  }
}
