import type { Redis } from 'ioredis';
import { runLoad, type LoadResult } from './load.js';
import { cpuMicros } from './processes.js';
import { callsBetween, commandCalls } from './redis-stats.js';
import type { Server } from './stack.js';

/** Requests still in flight when autocannon stops finish within this: they count in their own row. */
const SETTLE_MS = 300;

export interface Target {
  name: string;
  server: Server;
  url: string;
  cookie?: string;
  /** Every response must carry this status, or the row measured something else. */
  expect: number;
}

export interface Sample extends LoadResult {
  round: number;
  cpuMicrosPerRequest: number;
  /** Share of its core the server used: well below 100 % it waited on the load generator, or something else ran there. */
  serverCoreBusy: number;
  redisCalls: Map<string, number>;
}

/** One autocannon run, with the server's CPU time and Redis's commands around it. */
export async function measure(
  target: Target,
  redis: Redis,
  run: { seconds: number; round: number; connections: number; rate?: number },
): Promise<Sample> {
  const callsBefore = await commandCalls(redis);
  const cpuBefore = cpuMicros(target.server.pid);
  const result = await runLoad({
    url: target.url,
    connections: run.connections,
    seconds: run.seconds,
    ...(target.cookie ? { cookie: target.cookie } : {}),
    ...(run.rate ? { rate: run.rate } : {}),
  });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpu = cpuMicros(target.server.pid) - cpuBefore;
  const redisCalls = callsBetween(callsBefore, await commandCalls(redis));
  const unexpected = Object.keys(result.statuses).filter((status) => Number(status) !== target.expect);
  if (unexpected.length > 0 || result.errors > 0) {
    throw new Error(`${target.name}: expected only ${target.expect}, got ${JSON.stringify(result.statuses)} and ${result.errors} errors`);
  }
  return {
    ...result,
    round: run.round,
    cpuMicrosPerRequest: cpu / Math.max(result.requests, 1),
    // The server idles while autocannon starts and after it stops: the load lasted `seconds`.
    serverCoreBusy: cpu / (run.seconds * 1e6),
    redisCalls,
  };
}
