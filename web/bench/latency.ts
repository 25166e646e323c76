import autocannon from 'autocannon';

/**
 * `amount` requests to `url`, one at a time over one keep-alive connection, so each latency is
 * the server's answer time and no request waits behind another. Every latency, in milliseconds
 * (autocannon's own histogram rounds to whole milliseconds, too coarse here). Rejects on any
 * error or any status but 200.
 */
export function measure(url: string, headers: Record<string, string>, amount: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon({ url, connections: 1, amount, headers }, (error, result) => {
      if (error) return reject(error);
      if (result.errors || result.timeouts || result.non2xx) {
        return reject(new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`));
      }
      resolve(latencies);
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** The nearest-rank percentile `p` (0 < p ≤ 100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new TypeError('"values" must not be empty');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN;
}

export interface Summary {
  readonly requests: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

export function summarize(values: readonly number[]): Summary {
  return { requests: values.length, medianMs: percentile(values, 50), p99Ms: percentile(values, 99) };
}
