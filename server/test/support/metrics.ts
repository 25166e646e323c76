import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { startMetricsServer } from '../../src/ops/metrics-server.js';
import type { Instance } from './stack.js';

/** Samples of a Prometheus text exposition, by `name{labels}` exactly as printed. */
export type Samples = Map<string, number>;

export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** `name{a="x",b="y"}` as prom-client prints it: labels in the order given. */
export function series(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** An instance's `/metrics`, on a listener of its own as `main.ts` serves it. */
export async function serveMetrics(instance: Instance): Promise<{ url: string; scrape(): Promise<Samples>; close(): Promise<void> }> {
  const server: Server = await startMetricsServer(instance.metrics, { host: '127.0.0.1', port: 0 }, pino({ level: 'silent' }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  return {
    url,
    async scrape() {
      const response = await fetch(url);
      if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
      return parseSamples(await response.text());
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
