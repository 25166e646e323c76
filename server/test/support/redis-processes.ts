import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ensureRedisSentinel, freePort, startRedis, type RunningRedis } from '../../../scripts/redis.mjs';
import { waitUntil } from './env.js';

/**
 * Real Redis processes for the fault tests, each on its own free loopback port and temp
 * directory, and the faults an operator meets: a paused process (SIGSTOP), a busy one
 * (`DEBUG SLEEP`), a crash and a restart on the same data (AOF), dropped client connections
 * (`CLIENT KILL`), a Sentinel failover, a Cluster. Every process is stopped by its pid and its
 * directory removed.
 */

const run = promisify(execFile);

/** A direct connection for the test's own commands: no timeouts, never Porter's client. */
function adminClient(port: number): Redis {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  return client;
}

/** Runs one command on a fresh connection and closes it. */
export async function redisCommand(port: number, ...args: Array<string | number>): Promise<unknown> {
  const client = adminClient(port);
  try {
    return await client.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    client.disconnect();
  }
}

export interface RedisProcessOptions {
  /** Append-only file on, fsync on every write: a killed process restarts with every acknowledged write. */
  aof?: boolean;
  /** More `redis-server` arguments. */
  args?: string[];
  /** A port chosen beforehand (a server was told to expect Redis there); a free one otherwise. */
  port?: number;
}

/** One redis-server the test controls. */
export class RedisProcess {
  private running: RunningRedis;
  private paused = false;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
    running: RunningRedis,
  ) {
    this.running = running;
  }

  static async start(options: RedisProcessOptions = {}): Promise<RedisProcess> {
    const port = options.port ?? (await freePort());
    const dir = await mkdtemp(join(tmpdir(), 'porter-redis-'));
    const args = [
      '--dir', dir,
      // DEBUG SLEEP is how a test makes Redis busy; Redis 7 refuses DEBUG unless enabled.
      '--enable-debug-command', 'local',
      ...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []),
      ...(options.args ?? []),
    ];
    return new RedisProcess(port, dir, args, await startRedis(port, { args }));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isRunning(): boolean {
    return !this.running.exited();
  }

  get pid(): number {
    if (this.running.pid === undefined) throw new Error('redis-server has no pid');
    return this.running.pid;
  }

  /** Freezes the process (SIGSTOP): connections stay open and nothing answers, as in a hung host. */
  pause(): void {
    process.kill(this.pid, 'SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    process.kill(this.pid, 'SIGCONT');
    this.paused = false;
  }

  /** Keeps Redis busy for `seconds` (`DEBUG SLEEP`); resolves once it answers again. */
  sleep(seconds: number): Promise<unknown> {
    return redisCommand(this.port, 'DEBUG', 'SLEEP', seconds);
  }

  /** Closes every client connection but the one asking (`CLIENT KILL TYPE normal`). */
  async killClients(): Promise<number> {
    return Number(await redisCommand(this.port, 'CLIENT', 'KILL', 'TYPE', 'normal'));
  }

  /** Kills the process (SIGKILL: no save, no goodbye), as a crash would. */
  async kill(): Promise<void> {
    if (this.paused) this.resume();
    await this.running.stop('SIGKILL');
  }

  /** Starts again on the same port and directory (with AOF, the same data). */
  async restart(): Promise<void> {
    if (!this.running.exited()) await this.kill();
    this.running = await startRedis(this.port, { args: this.args });
  }

  command(...args: Array<string | number>): Promise<unknown> {
    return redisCommand(this.port, ...args);
  }

  async stop(): Promise<void> {
    if (this.paused) this.resume();
    await this.running.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

const MASTER_NAME = 'porter-master';

/**
 * One master, one replica and three Sentinels (quorum 2) on loopback, tuned to notice a dead
 * master in 1 s and fail over in a few seconds, so tests stay quick.
 */
export class SentinelTopology {
  private constructor(
    readonly servers: RedisProcess[],
    private readonly sentinels: Array<{ port: number; running: RunningRedis }>,
    private readonly dir: string,
  ) {}

  static async start(): Promise<SentinelTopology> {
    ensureRedisSentinel();
    const master = await RedisProcess.start();
    const replica = await RedisProcess.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    await waitUntil(async () => String(await replica.command('INFO', 'replication')).includes('master_link_status:up'), 10_000);
    const dir = await mkdtemp(join(tmpdir(), 'porter-sentinel-'));
    const sentinels: Array<{ port: number; running: RunningRedis }> = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 4000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push({ port, running: await startRedis(port, { command: 'redis-sentinel', args: [file] }) });
    }
    const topology = new SentinelTopology([master, replica], sentinels, dir);
    // A failover needs a replica the Sentinels know, and Sentinels that know each other.
    await waitUntil(async () => {
      const replicas = (await redisCommand(sentinels[0]!.port, 'SENTINEL', 'REPLICAS', MASTER_NAME)) as unknown[];
      const peers = (await redisCommand(sentinels[0]!.port, 'SENTINEL', 'SENTINELS', MASTER_NAME)) as unknown[];
      return replicas.length === 1 && peers.length === 2;
    }, 15_000);
    return topology;
  }

  /** `redis-sentinel://h1:p1,h2:p2,h3:p3/<master>`, as an operator writes REDIS_URL. */
  get url(): string {
    return `redis-sentinel://${this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${MASTER_NAME}`;
  }

  /** The port of the server the Sentinels call master now. */
  async masterPort(): Promise<number> {
    const [, port] = (await redisCommand(this.sentinels[0]!.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string];
    return Number(port);
  }

  /** The server that is not master now. */
  async replica(): Promise<RedisProcess> {
    const master = await this.masterPort();
    const replica = this.servers.find((s) => s.port !== master);
    if (!replica) throw new Error('no replica');
    return replica;
  }

  /**
   * `SENTINEL FAILOVER`: promotes the replica without waiting for the master to fail. Resolves
   * once the Sentinels name the new master and it answers as one.
   */
  async failover(): Promise<{ from: number; to: number }> {
    const from = await this.masterPort();
    // The replica must have caught up, or Sentinel refuses it (NOGOODSLAVE).
    await waitUntil(async () => String(await (await this.replica()).command('INFO', 'replication').catch(() => '')).includes('master_link_status:up'), 10_000);
    await redisCommand(this.sentinels[0]!.port, 'SENTINEL', 'FAILOVER', MASTER_NAME);
    let to = from;
    await waitUntil(async () => {
      to = await this.masterPort();
      return to !== from && String(await redisCommand(to, 'ROLE').catch(() => '')).startsWith('master');
    }, 15_000);
    return { from, to };
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((s) => s.running.stop()));
    await Promise.all(this.servers.map((s) => s.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Three Cluster masters (no replicas) sharing the 16,384 slots, each on its own port and bus port. */
export class RedisCluster {
  private constructor(readonly nodes: RedisProcess[]) {}

  static async start(): Promise<RedisCluster> {
    const nodes: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      // The bus port is given explicitly: the default, port + 10000, may be past 65535 or taken.
      nodes.push(
        await RedisProcess.start({
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000', '--cluster-port', String(await freePort())],
        }),
      );
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitUntil(async () => {
      const states = await Promise.all(nodes.map((n) => n.command('CLUSTER', 'INFO')));
      return states.every((info) => String(info).includes('cluster_state:ok'));
    }, 15_000);
    return new RedisCluster(nodes);
  }

  /** `redis-cluster://h1:p1,h2:p2,h3:p3`, as an operator writes REDIS_URL. */
  get url(): string {
    return `redis-cluster://${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
