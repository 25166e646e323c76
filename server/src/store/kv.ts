/**
 * The few key-value operations Porter needs, with Redis semantics. Two implementations share
 * one contract test suite: Redis (standalone, Sentinel, Cluster) and an in-memory store for
 * development without Redis. Every operation touches one key, so Redis Cluster needs no hash tags.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  /** Sets the value with a time to live. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set (Redis `SET NX PX`). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Sorted set: adds or updates a member, and keeps the whole set alive at least `keyTtlMs`. */
  zAdd(key: string, score: number, member: string, keyTtlMs: number): Promise<void>;
  zRem(key: string, member: string): Promise<void>;
  /** Members with min <= score, lowest score first. */
  zRangeFrom(key: string, min: number): Promise<string[]>;
  /** Removes members with score < max. */
  zRemBelow(key: string, max: number): Promise<void>;
  /** A real write, read and delete of `key`: proves the store works, not only that it answers. */
  check(key: string): Promise<void>;
  close(): Promise<void>;
}
