/**
 * The few key-value operations Porter needs, with Redis semantics. Two implementations share
 * one contract test suite: Redis (standalone, Sentinel, Cluster) and an in-memory store for
 * development without Redis. Every operation touches one key, so Redis Cluster needs no hash tags.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  /** Sets the value with a time to live. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets the value with a time to live and returns the value it replaced, or `null` (Redis `SET PX GET`): a read and a write in one round trip. */
  swap(key: string, value: string, ttlMs: number): Promise<string | null>;
  /** Sets only when the key is absent; true when it was set (Redis `SET NX PX`). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Deletes the key only while it holds `value`, as one step: a lock's holder frees only its own lock. */
  delIfEquals(key: string, value: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /**
   * Replaces a value with `change(current)` as one atomic step: when another write lands between
   * the read and the write, `change` runs again on the newer value (compare-and-set). `change`
   * returns `null` to leave the key as it is. The time to live becomes `ttlMs`, or stays what it
   * was with `'keep'`, in which case an absent key stays absent. True when it wrote.
   */
  update(key: string, change: (current: string | null) => string | null, ttlMs: number | 'keep'): Promise<boolean>;
  /** Sorted set: adds or updates a member, and keeps the whole set alive at least `keyTtlMs`. */
  zAdd(key: string, score: number, member: string, keyTtlMs: number): Promise<void>;
  zRem(key: string, member: string): Promise<void>;
  /** Members with min <= score, lowest score first. */
  zRangeFrom(key: string, min: number): Promise<string[]>;
  /** How many members have min <= score (Redis `ZCOUNT`: O(log n), whatever the set's size). */
  zCount(key: string, min: number): Promise<number>;
  /** Raises an existing member's score; never adds a member and never lowers a score (Redis `ZADD XX GT`). */
  zRaise(key: string, score: number, member: string): Promise<void>;
  /**
   * Removes members with score < max; with `limit`, at most that many, lowest first, so the
   * work one call does stays bounded however many members have expired.
   */
  zRemBelow(key: string, max: number, limit?: number): Promise<void>;
  /**
   * Members of a sorted set whose members all have one score, in byte order (Redis
   * `ZRANGEBYLEX`), at most `limit`: those that begin with `range.prefix`, or those strictly
   * after `range.after` (`''`: from the first).
   */
  zRangeByLex(key: string, range: { prefix: string } | { after: string }, limit: number): Promise<string[]>;
  /** Hash: adds each increment to its field, and keeps the hash alive at least `keyTtlMs`. */
  hIncrBy(key: string, increments: Readonly<Record<string, number>>, keyTtlMs: number): Promise<void>;
  /** Every field of a hash; `{}` when the key is absent. */
  hGetAll(key: string): Promise<Record<string, string>>;
  /** Capped stream: appends, keeps the newest `maxLen` entries, and keeps the stream alive `keyTtlMs`. */
  streamAdd(key: string, value: string, maxLen: number, keyTtlMs: number): Promise<void>;
  /** The newest `count` values of a stream, newest first. */
  streamLatest(key: string, count: number): Promise<string[]>;
  /** A real write, read and delete of `key`: proves the store works, not only that it answers. */
  check(key: string): Promise<void>;
  /**
   * Runs `writes`, then resolves with their result once those writes are on a replica too, where
   * the deployment promises replicas (Redis Sentinel): a write only the master holds vanishes if a
   * failover comes first. Elsewhere it only runs `writes`. Throws `StoreUnavailableError` when no
   * replica confirmed in time during a failover, or when the connection to the master changed
   * while they ran (the writes may sit on a master that is gone, and a replica's confirmation on
   * the new connection would say nothing about them).
   */
  durably<T>(writes: () => Promise<T>): Promise<T>;
  /**
   * Runs `first`, then `then`, so that the store applies every command `first` sends before any
   * that `then` sends (a session saved before its index entries, so no listing finds an entry
   * whose session is not there yet). `first` must send its commands before it first awaits.
   * Where one connection carries them (Redis standalone or Sentinel) both start at once: Redis
   * applies a connection's commands in the order they arrive, so the order costs no round trip.
   * On Cluster, where the keys may live on different nodes, and in the memory store, `then`
   * starts once `first` has resolved. Resolves with `then`'s result; rejects with the first failure.
   */
  inOrder<T>(first: () => Promise<unknown>, then: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
