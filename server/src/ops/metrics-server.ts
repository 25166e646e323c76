import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/**
 * `GET /metrics` in Prometheus's text format, on a listener of its own (`METRICS_HOST`,
 * `METRICS_PORT`). Not on the public listener: no route there, no proxy rule and no web app
 * rewrite can ever expose it, and operators keep it private by where it binds (loopback by
 * default) instead of by a path rule in front. It needs no session or cookie. Resolves once
 * listening; `port` 0 picks a free port.
 */
export async function startMetricsServer(metrics: Metrics, where: { host: string; port: number }, log: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here.\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.error({ err }, 'could not collect metrics');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected; see the server log.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  log.info({ url: `http://${where.host}:${port}/metrics` }, 'metrics listening');
  return server;
}
