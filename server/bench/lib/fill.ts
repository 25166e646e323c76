import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { SessionData } from 'express-session';
import type { RedisStore } from 'connect-redis';
import type { Config } from '../../src/config.js';
import { createSessionStore } from '../../src/session/middleware.js';
import { SessionDirectory } from '../../src/session/directory.js';
import { createKeys } from '../../src/store/keys.js';
import { PipelineKv } from './pipeline-kv.js';

/** Sessions written at once: enough to keep Redis busy, few enough to bound the client's memory. */
const BATCH = 5000;

export interface SyntheticUser {
  sub: string;
  role: string;
  /** Campus One's session id; one per session when absent. */
  providerSid?: string;
}

/**
 * Writes synthetic sessions exactly as Porter writes real ones: a copy of a real signed-in
 * session (sealed tokens included) under a fresh id, through Porter's own session store
 * (connect-redis, its serializer and expiry) and its own index code (`SessionDirectory.index`).
 * Their writes are queued into one pipeline per batch of thousands (`PipelineKv`).
 */
export class SessionFiller {
  private constructor(
    private readonly kv: PipelineKv,
    private readonly redis: Redis,
    private readonly store: RedisStore,
    private readonly directory: SessionDirectory,
    private readonly template: SessionData,
    private readonly absoluteTimeoutMs: number,
  ) {}

  static async open(redisUrl: string, config: Config, template: SessionData): Promise<SessionFiller> {
    const redis = new Redis(redisUrl);
    const kv = new PipelineKv(redis);
    const keys = createKeys(config.redis.prefix);
    const store = createSessionStore(config, kv, keys, Date.now);
    const directory = new SessionDirectory(config, kv, keys, Date.now);
    // As a sign-in leaves it before its first write: the store marks what it wrote `persisted`,
    // and refuses to bring such a session back (see `mergeSessionWrite`).
    const fresh: Partial<SessionData> = { ...template };
    for (const written of ['persisted', 'userRevision', 'tokensRevision', 'refreshRetryAt'] as const) delete fresh[written];
    return new SessionFiller(kv, redis, store, directory, fresh as SessionData, config.session.absoluteTimeoutMs);
  }

  /** `count` sessions, the i-th for `userOf(i)`. */
  async fill(count: number, userOf: (i: number) => SyntheticUser): Promise<void> {
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(count, start + BATCH);
      await Promise.all(Array.from({ length: end - start }, (_, k) => this.write(userOf(start + k))));
      await this.kv.flush();
    }
  }

  private async write(user: SyntheticUser): Promise<void> {
    // express-session's ids are uid-safe(24): 32 base64url characters.
    const id = randomBytes(24).toString('base64url');
    const now = Date.now();
    const data: SessionData = {
      ...this.template,
      user: { ...this.template.user, sub: user.sub, role: user.role },
      providerSid: user.providerSid ?? randomBytes(16).toString('base64url'),
      createdAt: now,
      lastTouchedAt: now,
      absoluteExpiresAt: now + this.absoluteTimeoutMs,
    };
    await this.store.set(id, data);
    await this.directory.index(id, data);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
