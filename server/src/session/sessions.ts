import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { User } from '@porter/shared';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/sealer.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';
import type { StoredTokens } from './data.js';

export interface NewSession {
  user: User;
  tokens: StoredTokens;
  accessTokenExpiresAt: number | null;
  providerSid: string | null;
}

/**
 * Session lifecycle on top of express-session, and the indexes that let Porter find a user's
 * sessions (by `sub`, and by Campus One `sid`) without scanning. Index entries are scored by
 * the session's absolute expiry, so stale entries are pruned by score; entries for sessions
 * that ended early are dropped when a listing finds their session gone.
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
    const previous = req.session.user
      ? { id: req.sessionID, sub: req.session.user.sub, providerSid: req.session.providerSid ?? null }
      : null;
    await promisify((done) => req.session.regenerate(done));
    if (previous) await this.unindex(previous.id, previous.sub, previous.providerSid);
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
    const lifetime = this.config.session.absoluteTimeoutMs;
    const score = now + lifetime;
    await this.kv.zAdd(this.keys.userSessions(init.user.sub), score, req.sessionID, lifetime);
    if (init.providerSid) {
      await this.kv.zAdd(this.keys.providerSessions(init.providerSid), score, req.sessionID, lifetime);
    }
  }

  /** Ends the request's session, if it has one, in the store and in the indexes. */
  async end(req: Request): Promise<void> {
    const { user, providerSid } = req.session;
    if (!user) return;
    const id = req.sessionID;
    await promisify((done) => req.session.destroy(done));
    await this.unindex(id, user.sub, providerSid ?? null);
  }

  async tokens(req: Request): Promise<StoredTokens | null> {
    return req.session.tokens ? this.tokenSealer.open<StoredTokens>(req.session.tokens) : null;
  }

  async replaceTokens(req: Request, tokens: StoredTokens, accessTokenExpiresAt: number | null): Promise<void> {
    req.session.tokens = await this.tokenSealer.seal(tokens);
    req.session.accessTokenExpiresAt = accessTokenExpiresAt;
    await promisify((done) => req.session.save(done));
  }

  /** Re-reads the session from the store, dropping what this request changed in memory. */
  async reload(req: Request): Promise<void> {
    await promisify((done) => req.session.reload(done));
  }

  /** The live session ids of one user, pruning index entries whose session is gone. */
  async idsOfUser(sub: string): Promise<string[]> {
    const key = this.keys.userSessions(sub);
    const now = this.now();
    await this.kv.zRemBelow(key, now);
    const ids = await this.kv.zRangeFrom(key, now);
    const live: string[] = [];
    for (const id of ids) {
      if (await this.kv.get(this.keys.session(id))) live.push(id);
      else await this.kv.zRem(key, id);
    }
    return live;
  }

  private async unindex(id: string, sub: string, providerSid: string | null): Promise<void> {
    await this.kv.zRem(this.keys.userSessions(sub), id);
    if (providerSid) await this.kv.zRem(this.keys.providerSessions(providerSid), id);
  }
}

function promisify(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}
