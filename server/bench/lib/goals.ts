import { fixed } from './report.js';
import type { RowSummary } from './summary.js';

export interface Goal {
  name: string;
  figure: string;
  met: boolean;
}

export interface GoalInputs {
  signedIn: RowSummary;
  noCookie: RowSummary;
  forged: RowSummary;
  bareExpress: RowSummary;
  equalLoad: { rate: number; porterP99Ms: number; bareExpressP99Ms: number };
  /** Idle-expiry moves the touch interval allows over the measured time (each one a write). */
  touchesAllowed: number;
  touchIntervalMs: number;
  bytesPerSession: number;
  /** Server CPU per complete sign-in, µs. */
  signInCpuMicros: { porter: number; eoc: number };
}

/** The goals, each with the figure this run measured. */
export function goals(m: GoalInputs): Goal[] {
  const { signedIn, noCookie, forged, bareExpress } = m;
  return [
    {
      name: '/auth/me ≥ 0.9× bare Express + GET (median of per-round req/s ratios)',
      figure: `${fixed(signedIn.ratioToBareExpress, 2)}× (by CPU per request: ${fixed(signedIn.cpuRatioToBareExpress, 2)}×)`,
      met: signedIn.ratioToBareExpress >= 0.9,
    },
    {
      name: '/auth/me ≥ 1.7× express-openid-connect + Redis',
      figure: `${fixed(signedIn.ratioToEoc, 2)}× (by CPU per request: ${fixed(signedIn.cpuRatioToEoc, 2)}×)`,
      met: signedIn.ratioToEoc >= 1.7,
    },
    {
      name: '/auth/me p99 no worse than bare Express (at saturation, as in the table)',
      figure:
        `${fixed(signedIn.p99Ms, 1)} ms vs ${fixed(bareExpress.p99Ms, 1)} ms; at an equal ${m.equalLoad.rate} req/s: ` +
        `${fixed(m.equalLoad.porterP99Ms, 1)} ms vs ${fixed(m.equalLoad.bareExpressP99Ms, 1)} ms`,
      met: signedIn.p99Ms <= bareExpress.p99Ms,
    },
    {
      name: 'zero Redis writes per /auth/me in steady state',
      figure: `${signedIn.redisWrites} writes in ${signedIn.requests} requests (${m.touchesAllowed} idle-expiry moves allowed by the ${m.touchIntervalMs / 1000} s touch interval)`,
      met: signedIn.redisWrites <= m.touchesAllowed,
    },
    {
      name: 'server CPU per sign-in ≤ 0.8× express-openid-connect’s (every check kept)',
      figure: `${fixed(m.signInCpuMicros.porter / m.signInCpuMicros.eoc, 2)}× (${fixed(m.signInCpuMicros.porter / 1000, 2)} vs ${fixed(m.signInCpuMicros.eoc / 1000, 2)} ms)`,
      met: m.signInCpuMicros.porter <= 0.8 * m.signInCpuMicros.eoc,
    },
    {
      name: '≤ 4 KB of Redis per session, tokens and indexes included',
      figure: `${m.bytesPerSession} B`,
      met: m.bytesPerSession <= 4096,
    },
    {
      name: 'no cookie and forged cookie at least as fast as signed in, without Redis',
      figure:
        `${fixed(noCookie.requestsPerSecond)} and ${fixed(forged.requestsPerSecond)} vs ${fixed(signedIn.requestsPerSecond)} req/s; ` +
        `Redis: ${noCookie.redisPerRequest}, ${forged.redisPerRequest}`,
      met:
        Math.min(noCookie.requestsPerSecond, forged.requestsPerSecond) >= signedIn.requestsPerSecond &&
        noCookie.redisPerRequest === 'none' &&
        forged.redisPerRequest === 'none',
    },
  ];
}
