import { createRequire } from 'node:module';
import { LOAD_CORE, spawnNode } from './processes.js';

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses per status code, to prove the row measured what it claims (200 or 401). */
  statuses: Record<string, number>;
  errors: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

/** One autocannon run from its own process on the load core, so it never shares the server's core. */
export async function runLoad(options: { url: string; cookie?: string; connections: number; seconds: number; rate?: number }): Promise<LoadResult> {
  const args = [autocannonCli, '--json', '--no-progress', '-c', String(options.connections), '-d', String(options.seconds)];
  // A fixed offered rate instead of as fast as the server goes; autocannon then corrects the
  // latencies for coordinated omission.
  if (options.rate) args.push('-R', String(options.rate));
  if (options.cookie) args.push('-H', `cookie=${options.cookie}`);
  args.push(options.url);
  const child = spawnNode(args, LOAD_CORE, { stdout: 'pipe' });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited with ${code} for ${options.url}`);
  const json = JSON.parse(out) as AutocannonJson;
  return {
    requests: json.requests.total,
    requestsPerSecond: json.requests.average,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    statuses: Object.fromEntries(Object.entries(json.statusCodeStats).map(([status, { count }]) => [status, count])),
    errors: json.errors + json.timeouts,
  };
}
