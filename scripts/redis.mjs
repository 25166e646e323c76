// A throwaway Redis for tests, benchmarks and end-to-end runs: installs redis-server when it
// is missing (as root, with apt-get), starts it on a port with no persistence, stops it by pid.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ensureDebianPackage, hasCommand } from './debian-package.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Makes sure `redis-server` exists: installs it as root with apt-get, or stops with the command to run. */
export function ensureRedisServer() {
  ensureDebianPackage({ aptPackage: 'redis-server', present: () => hasCommand('redis-server'), alternative: 'or set REDIS_URL' });
}

/** Starts redis-server on 127.0.0.1:port with no persistence; resolves once it accepts commands. */
export async function startRedis(port) {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
