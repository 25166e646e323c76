// A throwaway Redis for tests, benchmarks and end-to-end runs: installs redis-server when it
// is missing (as root, with apt-get), starts it on a port with no persistence, stops it by pid.
// The one place that spawns redis-server (and redis-sentinel): the fault tests start theirs here too.
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

/** Makes sure `redis-sentinel` exists (the fault tests run a real Sentinel topology). */
export function ensureRedisSentinel() {
  ensureDebianPackage({ aptPackage: 'redis-sentinel', present: () => hasCommand('redis-sentinel') });
}

const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no'];

/**
 * Starts redis-server on 127.0.0.1:port; resolves once it accepts commands. With no options it
 * keeps nothing on disk. `args` come last, so they override the defaults (`--appendonly yes`
 * with `--dir`); `command: 'redis-sentinel'` with a config file in `args` starts a Sentinel.
 */
export async function startRedis(port, { args = [], command = 'redis-server' } = {}) {
  const sentinel = command === 'redis-sentinel';
  // A Sentinel takes everything from its config file (it rewrites it), a server from arguments.
  const argv = sentinel ? args : ['--port', String(port), '--bind', '127.0.0.1', ...NO_PERSISTENCE, '--protected-mode', 'yes', ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  // A Sentinel is ready once it monitors its master; a server once it accepts connections.
  const ready = sentinel ? '+monitor master' : 'Ready to accept connections';
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${out}`)));
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
