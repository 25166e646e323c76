import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisUrl, waitUntil } from './support/env.js';
import { startMain, startServer } from './support/server-process.js';

describe('the server process', () => {
  it('refuses to start with a bad configuration, listing every problem, and no stack trace', async () => {
    const child = startMain({ NODE_ENV: 'production', PORT: 'x' });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    for (const name of ['PORT', 'CAMPUS_ONE_CLIENT_ID', 'CAMPUS_ONE_CLIENT_SECRET', 'APP_URL', 'REDIS_URL', 'SESSION_SECRET']) {
      expect(stderr).toContain(`- ${name}`);
    }
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    // A Campus One that accepts connections and never answers keeps /readyz in flight.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const child = startMain({
      PORT: '0',
      CAMPUS_ONE_CLIENT_ID: 'porter',
      CAMPUS_ONE_CLIENT_SECRET: 'secret',
      CAMPUS_ONE_ISSUER: silentUrl,
      CAMPUS_ONE_DISCOVERY_URL: `${silentUrl}/api/auth/.well-known/openid-configuration`,
      CAMPUS_ONE_TIMEOUT_MS: '1500',
      REDIS_URL: redisUrl(),
    });
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve) =>
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const match = /"url":"(http:[^"]+)".*Porter server listening/.exec(stdout);
          if (match?.[1]) resolve(match[1]);
        }),
      );
      // /readyz writes its check key first: once Redis sees that write, the request is in the handler.
      const monitor = await new Redis(redisUrl()).monitor();
      const reachedHandler = new Promise<void>((resolve) =>
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args[0]?.toLowerCase() === 'set' && args[1]?.includes('health:')) resolve();
        }),
      );
      const inFlight = fetch(`${url}/readyz`);
      await reachedHandler;
      monitor.disconnect();
      child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ store: 'up', provider: 'down' });
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stdout).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('on SIGTERM with SHUTDOWN_DELAY_MS answers /readyz 503 draining on new connections while still serving, then exits 0', async () => {
    const server = await startServer({
      PORT: '0',
      CAMPUS_ONE_CLIENT_ID: 'porter',
      CAMPUS_ONE_CLIENT_SECRET: 'secret',
      CAMPUS_ONE_ISSUER: 'http://127.0.0.1:9',
      CAMPUS_ONE_DISCOVERY_URL: 'http://127.0.0.1:9/api/auth/.well-known/openid-configuration',
      REDIS_URL: redisUrl(),
      SHUTDOWN_DELAY_MS: '4000',
    });
    try {
      const before = await fetch(`${server.url}/readyz`);
      expect(await before.json()).not.toHaveProperty('draining');
      server.child.kill('SIGTERM');
      await waitUntil(async () => server.stdout().includes('"msg":"draining'));
      // A new connection each: a load balancer's probe, and a request that must still be served.
      const ready = await fetch(`${server.url}/readyz`, { headers: { connection: 'close' } });
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ok: false, draining: true });
      const alive = await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } });
      expect(alive.status).toBe(200);
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('"msg":"stopped"');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('serves /metrics on its own listener, and the public listener does not', async () => {
    const child = startMain({
      PORT: '0',
      CAMPUS_ONE_CLIENT_ID: 'porter',
      CAMPUS_ONE_CLIENT_SECRET: 'secret',
      CAMPUS_ONE_ISSUER: 'http://127.0.0.1:9',
      CAMPUS_ONE_DISCOVERY_URL: 'http://127.0.0.1:9/api/auth/.well-known/openid-configuration',
    });
    try {
      let stdout = '';
      const [server, metrics] = await new Promise<[string, string]>((resolve) =>
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const listening = /"url":"(http:[^"]+)".*Porter server listening/.exec(stdout)?.[1];
          const scraped = /"url":"(http:[^"]+\/metrics)"/.exec(stdout)?.[1];
          if (listening && scraped) resolve([listening, scraped]);
        }),
      );
      expect(new URL(metrics).hostname).toBe('127.0.0.1');
      expect(new URL(metrics).port).not.toBe(new URL(server).port);
      const scrape = await fetch(metrics);
      expect(scrape.status).toBe(200);
      const text = await scrape.text();
      expect(text).toContain('# TYPE porter_sign_ins_total counter');
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect((await fetch(`${server}/metrics`)).status).toBe(404);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

