// Types for redis.mjs, so TypeScript callers (the server's benchmark and tests) can import it.
export function freePort(): Promise<number>;
export function ensureRedisServer(): void;
export function ensureRedisSentinel(): void;
export interface RunningRedis {
  url: string;
  pid: number | undefined;
  /** True once the process has exited (stopped, killed, or crashed). */
  exited(): boolean;
  /** Sends `signal` (SIGTERM by default) and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}
export interface StartRedisOptions {
  /** Extra arguments, after the defaults (no persistence), so they override them. */
  args?: string[];
  command?: 'redis-server' | 'redis-sentinel';
}
export function startRedis(port: number, options?: StartRedisOptions): Promise<RunningRedis>;
