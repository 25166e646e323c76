export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The nearest-rank percentile `p` (0 < p ≤ 100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.ceil((p / 100) * sorted.length)) - 1] ?? NaN;
}

/** `GET 1.00 + SET 1.00`, or `none`: the commands a request costs, per request. */
export function commandsPerRequest(calls: Map<string, number>, requests: number): string {
  const parts = [...calls]
    .filter(([, count]) => count / requests >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .map(([name, count]) => `${name.toUpperCase()} ${(count / requests).toFixed(2)}`);
  return parts.length > 0 ? parts.join(' + ') : 'none';
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
