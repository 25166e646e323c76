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
    for (const map of [this.strings, this.sortedSets] as Map<string, Entry<unknown>>[]) {
      for (const key of map.keys()) this.live(map, key);
    }
  }

  async get(key: string) {
    return this.live(this.strings, key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.sortedSets.delete(key);
    this.strings.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.live(this.strings, key) || this.live(this.sortedSets, key)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async del(key: string) {
    this.strings.delete(key);
    this.sortedSets.delete(key);
  }

  async zAdd(key: string, score: number, member: string, keyTtlMs: number) {
    const expiresAt = this.now() + keyTtlMs;
    const entry = this.live(this.sortedSets, key) ?? { value: new Map<string, number>(), expiresAt };
    entry.value.set(member, score);
    entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
    this.strings.delete(key);
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

  async zRemBelow(key: string, max: number) {
    const entry = this.live(this.sortedSets, key);
    if (!entry) return;
    for (const [member, score] of entry.value) if (score < max) entry.value.delete(member);
    if (entry.value.size === 0) this.sortedSets.delete(key);
  }

  check(key: string) {
    return writeReadDelete(this, key);
  }

  async close() {
    clearInterval(this.sweeper);
  }
}
