import type { Sample, Target } from './measure.js';
import { commandsPerRequest, median } from './report.js';

export type Samples = Map<Target, Sample[]>;

export interface RowSummary {
  name: string;
  status: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  serverCoreBusy: number;
  /** `GET 1.00`, `GET 1.00 + SET 1.00`, or `none`. */
  redisPerRequest: string;
  /** Every command but GET, over all rounds. */
  redisWrites: number;
  requests: number;
  ratioToBareExpress: number;
  ratioToEoc: number;
  cpuRatioToBareExpress: number;
  cpuRatioToEoc: number;
  samples: unknown[];
}

const byThroughput = (row: Sample, base: Sample) => row.requestsPerSecond / base.requestsPerSecond;
// Requests one core can serve, from CPU per request: it holds when another process takes the core.
const byCpu = (row: Sample, base: Sample) => base.cpuMicrosPerRequest / row.cpuMicrosPerRequest;

/** Per round, so both rows met the same conditions; then the median over rounds. */
function ratio(samples: Samples, target: Target, base: Target | undefined, of: (row: Sample, base: Sample) => number): number {
  if (!base) return NaN;
  return median(
    (samples.get(target) ?? []).map((sample) => {
      const baseSample = samples.get(base)?.find((s) => s.round === sample.round);
      return baseSample ? of(sample, baseSample) : NaN;
    }),
  );
}

/** Medians over the rounds, and each row's ratios to the bare Express and express-openid-connect rows. */
export function summarize(samples: Samples, bases: { bareExpress: Target; eoc?: Target }): RowSummary[] {
  return [...samples.keys()].map((target) => {
    const list = samples.get(target) ?? [];
    const requests = list.reduce((sum, s) => sum + s.requests, 0);
    const calls = new Map<string, number>();
    for (const s of list) for (const [name, count] of s.redisCalls) calls.set(name, (calls.get(name) ?? 0) + count);
    return {
      name: target.name,
      status: target.expect,
      requestsPerSecond: median(list.map((s) => s.requestsPerSecond)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      cpuMicrosPerRequest: median(list.map((s) => s.cpuMicrosPerRequest)),
      serverCoreBusy: median(list.map((s) => s.serverCoreBusy)),
      redisPerRequest: commandsPerRequest(calls, requests),
      redisWrites: [...calls].filter(([name]) => name !== 'get').reduce((sum, [, count]) => sum + count, 0),
      requests,
      ratioToBareExpress: ratio(samples, target, bases.bareExpress, byThroughput),
      ratioToEoc: ratio(samples, target, bases.eoc, byThroughput),
      cpuRatioToBareExpress: ratio(samples, target, bases.bareExpress, byCpu),
      cpuRatioToEoc: ratio(samples, target, bases.eoc, byCpu),
      samples: list.map((s) => ({ ...s, redisCalls: Object.fromEntries(s.redisCalls) })),
    };
  });
}
