import { writeReadDelete } from './check.js';
import type { Kv } from './kv.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * The development store when no REDIS_URL is set: the same contract as Redis, in one process.
 * Expired keys vanish when next touched, and a sweep bounds memory for keys never read again.
 */
export class MemoryKv implements Kv {
  private readonly strings = new Map<string, Entry<string>>();
  private readonly sortedSets = new Map<string, Entry<Map<string, number>>>();
  private readonly hashes = new Map<string, Entry<Map<string, number>>>();
  private readonly streams = new Map<string, Entry<string[]>>();
  /** One key holds one type, as in Redis: writing a type replaces the others. */
  private readonly types: Map<string, Entry<unknown>>[] = [this.strings, this.sortedSets, this.hashes, this.streams];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000).unref();
  }

  private live<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep() {
    for (const map of this.types) {
      for (const key of map.keys()) this.live(map, key);
    }
  }

  private claim(key: string, owner: Map<string, Entry<unknown>>) {
    for (const map of this.types) if (map !== owner) map.delete(key);
  }

  /** Sets a container's expiry to `keyTtlMs` from now unless it already lives longer (Redis `PEXPIRE GT` + `NX`). */
  private extend(entry: Entry<unknown>, keyTtlMs: number) {
    entry.expiresAt = Math.max(entry.expiresAt, this.now() + keyTtlMs);
  }

  async get(key: string) {
    return this.live(this.strings, key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.claim(key, this.strings);
    this.strings.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async swap(key: string, value: string, ttlMs: number) {
    const previous = await this.get(key);
    await this.set(key, value, ttlMs);
    return previous;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (await this.exists(key)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async del(key: string) {
    for (const map of this.types) map.delete(key);
  }

  async delIfEquals(key: string, value: string) {
    if ((await this.get(key)) === value) this.strings.delete(key);
  }

  async exists(key: string) {
    return this.types.some((map) => this.live(map, key) !== undefined);
  }

  async update(key: string, change: (current: string | null) => string | null, ttlMs: number | 'keep') {
    for (;;) {
      const current = this.live(this.strings, key);
      if (ttlMs === 'keep' && !current) return false;
      const next = change(current?.value ?? null);
      if (next === null) return false;
      // `change` may itself have written the key: then it runs again, as it would on Redis.
      if (this.live(this.strings, key) !== current) continue;
      this.claim(key, this.strings);
      this.strings.set(key, { value: next, expiresAt: ttlMs === 'keep' ? (current?.expiresAt ?? 0) : this.now() + ttlMs });
      return true;
    }
  }

  async zAdd(key: string, score: number, member: string, keyTtlMs: number) {
    const entry = this.live(this.sortedSets, key) ?? { value: new Map<string, number>(), expiresAt: 0 };
    entry.value.set(member, score);
    this.extend(entry, keyTtlMs);
    this.claim(key, this.sortedSets);
    this.sortedSets.set(key, entry);
  }

  async zRem(key: string, member: string) {
    const entry = this.live(this.sortedSets, key);
    entry?.value.delete(member);
    if (entry?.value.size === 0) this.sortedSets.delete(key);
  }

  async zRangeFrom(key: string, min: number) {
    const entry = this.live(this.sortedSets, key);
    if (!entry) return [];
    return [...entry.value]
      .filter(([, score]) => score >= min)
      .sort(([a, sa], [b, sb]) => sa - sb || (a < b ? -1 : 1))
      .map(([member]) => member);
  }

  async zCount(key: string, min: number) {
    return [...(this.live(this.sortedSets, key)?.value.values() ?? [])].filter((score) => score >= min).length;
  }

  async zRaise(key: string, score: number, member: string) {
    const members = this.live(this.sortedSets, key)?.value;
    const current = members?.get(member);
    if (current !== undefined && score > current) members?.set(member, score);
  }

  async zRemBelow(key: string, max: number, limit = Infinity) {
    const entry = this.live(this.sortedSets, key);
    if (!entry) return;
    const below = [...entry.value].filter(([, score]) => score < max).sort(([a, sa], [b, sb]) => sa - sb || (a < b ? -1 : 1));
    for (const [member] of below.slice(0, limit)) entry.value.delete(member);
    if (entry.value.size === 0) this.sortedSets.delete(key);
  }

  async zRangeByLex(key: string, range: { prefix: string } | { after: string }, limit: number) {
    const members = [...(this.live(this.sortedSets, key)?.value.keys() ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const inRange = 'prefix' in range ? (m: string) => m.startsWith(range.prefix) : (m: string) => Buffer.compare(Buffer.from(m), Buffer.from(range.after)) > 0;
    return members.filter(inRange).slice(0, limit);
  }

  async hIncrBy(key: string, increments: Readonly<Record<string, number>>, keyTtlMs: number) {
    const entry = this.live(this.hashes, key) ?? { value: new Map<string, number>(), expiresAt: 0 };
    for (const [field, by] of Object.entries(increments)) entry.value.set(field, (entry.value.get(field) ?? 0) + by);
    this.extend(entry, keyTtlMs);
    this.claim(key, this.hashes);
    this.hashes.set(key, entry);
  }

  async hGetAll(key: string) {
    const entry = this.live(this.hashes, key);
    return Object.fromEntries([...(entry?.value ?? [])].map(([field, value]) => [field, String(value)]));
  }

  async streamAdd(key: string, value: string, maxLen: number, keyTtlMs: number) {
    const entry = this.live(this.streams, key) ?? { value: [], expiresAt: 0 };
    entry.value.push(value);
    entry.value.splice(0, Math.max(0, entry.value.length - maxLen));
    this.extend(entry, keyTtlMs);
    this.claim(key, this.streams);
    this.streams.set(key, entry);
  }

  async streamLatest(key: string, count: number) {
    return (this.live(this.streams, key)?.value ?? []).slice(-count).reverse();
  }

  check(key: string) {
    return writeReadDelete(this, key);
  }

  durably<T>(writes: () => Promise<T>): Promise<T> {
    return writes();
  }

  async inOrder<T>(first: () => Promise<unknown>, then: () => Promise<T>): Promise<T> {
    // Started together, `then` would write before `first` had: a write here that reads first
    // (setIfAbsent, swap) applies a microtask later, when `then`'s index entries are in already.
    // Waiting costs no round trip in memory.
    await first();
    return then();
  }

  async close() {
    clearInterval(this.sweeper);
  }
}
