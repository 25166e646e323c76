import { Cluster, Command, Redis, ReplyError, type RedisOptions } from 'ioredis';
import { CircuitBreaker } from './breaker.js';
import { writeReadDelete } from './check.js';
import { StoreUnavailableError } from './errors.js';
import type { Kv } from './kv.js';

type Client = Redis | Cluster;

/**
 * How long a command may wait for Redis before the request answers 503, in ms. Reads (the
 * session GET on every page view) give up sooner than writes; both stay under a second, so no
 * route waits longer than that on a hung Redis. A healthy Redis on the same network answers
 * in well under a millisecond.
 */
export const READ_TIMEOUT_MS = 500;
const WRITE_TIMEOUT_MS = 800;
/** How long a write that must survive a failover waits for a replica to confirm it, in ms. */
const REPLICA_WAIT_MS = 250;
/** While Redis is known to be down, how often the breaker asks it whether it is back, in ms. */
const PROBE_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 250;

/**
 * Commands fail at once while Redis is away (no offline queue), so a request answers 503
 * instead of hanging; ioredis keeps reconnecting in the background, at most 500 ms apart, so a
 * restarted Redis is found again within half a second.
 */
const BASE_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: WRITE_TIMEOUT_MS,
  connectTimeout: 5000,
  retryStrategy: (attempt) => Math.min(attempt * 50, 500),
};

/**
 * After a failover ioredis would keep writing to the demoted master until Sentinel turns it
 * into a replica (seconds later), and those writes vanish when it resyncs. So it listens to the
 * Sentinels' `+switch-master` and moves at once (`failoverDetector`), and a READONLY answer
 * (a master turned replica under it) makes it ask the Sentinels again.
 */
const SENTINEL_OPTIONS: RedisOptions = {
  failoverDetector: true,
  reconnectOnError: (err) => err.message.startsWith('READONLY'),
};

/** A command with its own timeout: ioredis keeps the first timeout a command is given. */
function timedCommand(name: string, args: string[], timeoutMs: number): Command {
  const command = new Command(name, args, { replyEncoding: 'utf8' });
  command.setTimeout(timeoutMs);
  return command;
}

/**
 * `redis://` and `rediss://` as usual; `redis-sentinel://[:password@]h1:p1,h2:p2/<master name>`;
 * `redis-cluster://[:password@]h1:p1,h2:p2`.
 */
export function createRedisClient(url: string): Client {
  const multi = /^(redis-sentinel|redis-cluster):\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?]+)(?:\/([^?]*))?/.exec(url);
  if (!multi) return new Redis(url, BASE_OPTIONS);
  const [, kind, password, hostList = '', name] = multi;
  const nodes = hostList.split(',').map((hostPort) => {
    const [host = '127.0.0.1', port = kind === 'redis-sentinel' ? '26379' : '6379'] = hostPort.split(':');
    return { host, port: Number(port) };
  });
  const auth = password ? { password: decodeURIComponent(password) } : {};
  if (kind === 'redis-cluster') {
    return new Cluster(nodes, { enableOfflineQueue: false, redisOptions: { ...BASE_OPTIONS, ...auth } });
  }
  return new Redis({ ...BASE_OPTIONS, ...auth, sentinels: nodes, name: name || 'mymaster', ...SENTINEL_OPTIONS });
}

/**
 * Writes ARGV[3] only if the key still holds what the caller read: ARGV[2], or nothing when
 * ARGV[1] is '1'. ARGV[4] is the time to live in ms, or 'keep'.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] == 'keep' then
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1`;

/** ZREMRANGEBYSCORE has no LIMIT: the lowest ARGV[2] members with score < ARGV[1], in one step. */
export const REMOVE_BELOW_LIMITED = `
local members = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
if #members > 0 then redis.call('ZREM', KEYS[1], unpack(members)) end
return #members`;

/**
 * The end of every write that keeps its key alive: at least ARGV[1] ms from now, never shorter
 * than the key already lives (PEXPIRE GT, or NX for a key without a time to live).
 */
const KEEP_ALIVE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end`;
/** ARGV[2] score, ARGV[3] member. */
const ZADD_KEEPING_ALIVE = `redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])${KEEP_ALIVE}`;
/** ARGV[2..]: field, increment, field, increment... */
const HINCRBY_KEEPING_ALIVE = `for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end${KEEP_ALIVE}`;
/** ARGV[2] the stream's maximum length, ARGV[3] the value. */
const XADD_KEEPING_ALIVE = `redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'value', ARGV[3])${KEEP_ALIVE}`;

const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/** Past this many lost races an update gives up: something rewrites the key without pause. */
const UPDATE_ATTEMPTS = 10;

/** A `Kv` operation's name, as failures are reported by. */
export type KvOperation = Exclude<keyof Kv, 'close'>;

export interface RedisKvOptions {
  /** Told when Redis becomes unreachable (`true`) and when it answers again (`false`). */
  onAvailabilityChange?: (down: boolean) => void;
  /** Told of every operation that fails, for the metrics (`porter_store_errors_total`); the caller still gets the error. */
  onUnavailable?: (operation: KvOperation) => void;
}

export class RedisKv implements Kv {
  private readonly breaker: CircuitBreaker;
  private readonly onUnavailable: (operation: KvOperation) => void;
  /** Counts the connections ioredis made ready: a change between writes and their `WAIT` voids it. */
  private connections = 0;
  /** True while this tick's commands are held for one write (`writeTogetherThisTick`). */
  private holding = false;

  private constructor(
    readonly client: Client,
    options: RedisKvOptions,
  ) {
    this.onUnavailable = options.onUnavailable ?? (() => {});
    // Errors surface on the commands that meet them; without a listener ioredis would print them.
    client.on('error', () => {});
    this.breaker = new CircuitBreaker(() => client.sendCommand(timedCommand('ping', [], PROBE_TIMEOUT_MS)) as Promise<unknown>, {
      probeIntervalMs: PROBE_INTERVAL_MS,
      ...(options.onAvailabilityChange ? { onChange: options.onAvailabilityChange } : {}),
    });
    // ioredis is ready once Redis answered its ready check on a new connection.
    client.on('ready', () => {
      this.connections += 1;
      this.breaker.reset();
    });
  }

  /**
   * A store on `url` that connects in the background: commands fail with 503 until Redis
   * answers, so a server can start (and say so on /readyz) before its Redis is up.
   */
  static open(url: string, options: RedisKvOptions = {}): RedisKv {
    return new RedisKv(createRedisClient(url), options);
  }

  /** Resolves once Redis is ready, so the first request does not meet a cold connection. */
  static async connect(url: string, options: RedisKvOptions = {}, timeoutMs = 10_000): Promise<RedisKv> {
    const kv = RedisKv.open(url, options);
    if (!(await kv.connected(timeoutMs))) {
      await kv.close();
      throw new Error(`Redis at ${redactUrl(url)} was not ready within ${timeoutMs} ms`);
    }
    return kv;
  }

  /** True once the connection is ready (at once when it is), false if it is not within `timeoutMs` (ms). */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const ready = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.client.off('ready', ready);
        resolve(false);
      }, timeoutMs);
      this.client.once('ready', ready);
    });
  }

  /**
   * For users of `client` outside the `Kv` contract (the rate limits), the same rule as for
   * `Kv` commands: skip Redis while the circuit breaker knows it is down (`reachable` false),
   * and report a command that could not reach it (`unreachable()`), which trips the breaker.
   */
  get reachable(): boolean {
    return !this.breaker.isOpen;
  }

  unreachable(): void {
    this.breaker.trip();
  }

  /**
   * Every command goes through here: while the breaker knows Redis is down it fails at once;
   * a command that cannot reach Redis (timed out, connection gone) trips the breaker. A reply
   * error (a script's, a wrong type) is Redis answering: it says nothing about reachability.
   */
  private async run<T>(operation: KvOperation, command: (client: Client) => Promise<T>): Promise<T> {
    if (this.breaker.isOpen) throw this.unavailable(operation, new Error('Redis is unreachable; waiting for it to answer again'));
    this.writeTogetherThisTick();
    try {
      return await command(this.client);
    } catch (err) {
      if (!(err instanceof ReplyError)) this.breaker.trip();
      throw this.unavailable(operation, err);
    }
  }

  /**
   * Holds this tick's commands in the socket (`cork`) and sends them as one write when it ends
   * (`uncork` on the next tick): independent commands issued at once, such as a sign-in's index
   * writes, cost Node one `writev` and Redis one read, and their answers come back in one read,
   * instead of one system call each way per command. Each command keeps its own timeout and its
   * own answer, on the same connection, in the same order; a command sent alone waits only for
   * the current tick to end. On Cluster every master's connection is held, as a command's node
   * is chosen inside ioredis.
   */
  private writeTogetherThisTick(): void {
    if (this.holding) return;
    const streams: Array<Redis['stream'] | undefined> =
      this.client instanceof Cluster ? this.client.nodes('master').map((node) => node.stream) : [this.client.stream];
    const held = streams.filter((stream) => stream !== undefined);
    for (const stream of held) stream.cork();
    this.holding = true;
    process.nextTick(() => {
      this.holding = false;
      for (const stream of held) stream.uncork();
    });
  }

  private unavailable(operation: KvOperation, cause: unknown): StoreUnavailableError {
    this.onUnavailable(operation);
    return new StoreUnavailableError(`Redis could not complete "${operation}".`, { cause });
  }

  get(key: string) {
    return this.run('get', (c) => c.sendCommand(timedCommand('get', [key], READ_TIMEOUT_MS)) as Promise<string | null>);
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.run('set', (c) => c.set(key, value, 'PX', ttlMs));
  }

  swap(key: string, value: string, ttlMs: number) {
    return this.run('swap', (c) => c.set(key, value, 'PX', ttlMs, 'GET'));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    return (await this.run('setIfAbsent', (c) => c.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async del(key: string) {
    await this.run('del', (c) => c.del(key));
  }

  async delIfEquals(key: string, value: string) {
    await this.run('delIfEquals', (c) => c.eval(DELETE_IF_EQUALS, 1, key, value));
  }

  async exists(key: string) {
    return (await this.run('exists', (c) => c.exists(key))) === 1;
  }

  async update(key: string, change: (current: string | null) => string | null, ttlMs: number | 'keep') {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.get(key);
      if (ttlMs === 'keep' && current === null) return false;
      const next = change(current);
      if (next === null) return false;
      const args = [current === null ? '1' : '0', current ?? '', next, String(ttlMs)];
      if ((await this.run('update', (c) => c.eval(COMPARE_AND_SET, 1, key, ...args))) === 1) return true;
    }
    throw this.unavailable('update', new Error(`"${key}" changed under ${UPDATE_ATTEMPTS} updates in a row`));
  }

  /**
   * Runs one of the `*_KEEPING_ALIVE` scripts: one command to Redis (a MULTI of the write and two
   * PEXPIREs cost five, and their client-side work showed in a sign-in's CPU profile). A command
   * failing inside the script fails the call.
   */
  private async writeKeepingAlive(operation: KvOperation, script: string, key: string, keyTtlMs: number, ...args: (string | number)[]) {
    await this.run(operation, (c) => c.eval(script, 1, key, keyTtlMs, ...args));
  }

  async zAdd(key: string, score: number, member: string, keyTtlMs: number) {
    await this.writeKeepingAlive('zAdd', ZADD_KEEPING_ALIVE, key, keyTtlMs, score, member);
  }

  async zRem(key: string, member: string) {
    await this.run('zRem', (c) => c.zrem(key, member));
  }

  zRangeFrom(key: string, min: number) {
    return this.run('zRangeFrom', (c) => c.zrangebyscore(key, min, '+inf'));
  }

  zCount(key: string, min: number) {
    return this.run('zCount', (c) => c.zcount(key, min, '+inf'));
  }

  async zRaise(key: string, score: number, member: string) {
    await this.run('zRaise', (c) => c.zadd(key, 'XX', 'GT', score, member));
  }

  async zRemBelow(key: string, max: number, limit?: number) {
    if (limit === undefined) await this.run('zRemBelow', (c) => c.zremrangebyscore(key, '-inf', `(${max}`));
    else await this.run('zRemBelow', (c) => c.eval(REMOVE_BELOW_LIMITED, 1, key, String(max), String(limit)));
  }

  zRangeByLex(key: string, range: { prefix: string } | { after: string }, limit: number) {
    // A 0xFF byte sorts after every byte of UTF-8 text, so [prefix .. prefix+0xFF] is "begins with prefix".
    const [min, max] =
      'prefix' in range
        ? [Buffer.from(`[${range.prefix}`), Buffer.concat([Buffer.from(`[${range.prefix}`), Buffer.from([0xff])])]
        : [range.after === '' ? '-' : `(${range.after}`, '+'];
    return this.run('zRangeByLex', (c) => c.zrangebylex(key, min, max, 'LIMIT', 0, limit));
  }

  async hIncrBy(key: string, increments: Readonly<Record<string, number>>, keyTtlMs: number) {
    await this.writeKeepingAlive('hIncrBy', HINCRBY_KEEPING_ALIVE, key, keyTtlMs, ...Object.entries(increments).flat());
  }

  hGetAll(key: string) {
    return this.run('hGetAll', (c) => c.hgetall(key));
  }

  async streamAdd(key: string, value: string, maxLen: number, keyTtlMs: number) {
    await this.writeKeepingAlive('streamAdd', XADD_KEEPING_ALIVE, key, keyTtlMs, maxLen, value);
  }

  async streamLatest(key: string, count: number) {
    const entries = await this.run('streamLatest', (c) => c.xrevrange(key, '+', '-', 'COUNT', count));
    // Each entry is [id, [field, value]], as streamAdd wrote it.
    return entries.map(([, fields]) => fields[1] ?? '');
  }

  check(key: string) {
    return writeReadDelete(this, key);
  }

  /**
   * On Sentinel: `writes`, then `WAIT 1 <ms>`, until a replica holds every write this connection
   * made. `WAIT` speaks only for its own connection: when ioredis reconnected (to the new master
   * of a failover) between the writes and the end of the `WAIT`, the writes may have gone to the
   * old master and are refused. When no replica confirms, they are refused only if a Sentinel
   * says this master is being replaced (a failover under way, or another master named): a master
   * just failed over from has lost its replica and would drop the writes when it rejoins as one.
   * A master left alone after a failover (its old peer still down) also has no replica, and
   * keeps accepting writes.
   */
  async durably<T>(writes: () => Promise<T>): Promise<T> {
    const client = this.client;
    if (!(client instanceof Redis) || !client.options.sentinels?.length) return writes();
    const connection = this.connections;
    const result = await writes();
    const confirmed = (await this.run('durably', () => client.wait(1, REPLICA_WAIT_MS))) >= 1;
    if (this.connections !== connection) {
      throw this.unavailable('durably', new Error('the connection to the master changed during the writes: they could be lost'));
    }
    if (!confirmed && (await beingReplaced(client))) {
      throw this.unavailable('durably', new Error('a Sentinel failover is replacing this master: the write could be lost'));
    }
    return result;
  }

  async inOrder<T>(first: () => Promise<unknown>, then: () => Promise<T>): Promise<T> {
    if (this.client instanceof Cluster) {
      await first();
      return then();
    }
    const [, result] = await Promise.all([first(), then()]);
    return result;
  }

  async close() {
    this.breaker.stop();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * True when a Sentinel of `client` reports a failover of its master under way, or names another
 * master than the one `client` is connected to. Sentinels that do not answer tell nothing.
 */
async function beingReplaced(client: Redis): Promise<boolean> {
  const { sentinels = [], name, sentinelPassword } = client.options;
  const current = `${client.stream?.remoteAddress ?? ''}:${client.stream?.remotePort ?? ''}`;
  const answers = await Promise.all(
    sentinels.map(async ({ host, port }) => {
      const sentinel = new Redis({
        host: host ?? '127.0.0.1',
        port: port ?? 26379,
        ...(sentinelPassword ? { password: sentinelPassword } : {}),
        commandTimeout: REPLICA_WAIT_MS,
        connectTimeout: REPLICA_WAIT_MS,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      sentinel.on('error', () => {});
      try {
        const fields = (await sentinel.call('SENTINEL', 'MASTER', name ?? '')) as string[];
        const field = (key: string) => fields[fields.indexOf(key) + 1] ?? '';
        return field('flags').includes('failover_in_progress') || `${field('ip')}:${field('port')}` !== current;
      } catch {
        return false;
      } finally {
        sentinel.disconnect();
      }
    }),
  );
  return answers.some(Boolean);
}

/** Never log a Redis password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
