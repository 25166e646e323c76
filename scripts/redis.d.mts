// Types for redis.mjs, so TypeScript callers (the server's benchmark) can import it.
export function freePort(): Promise<number>;
export function ensureRedisServer(): void;
export interface RunningRedis {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}
export function startRedis(port: number): Promise<RunningRedis>;
