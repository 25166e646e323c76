// Runs the server's tests against a real Redis: REDIS_URL when given, else a throwaway
// redis-server on a free port (no persistence), stopped afterwards.
import { spawn } from 'node:child_process';
import { ensureRedisServer, freePort, startRedis } from '../../scripts/redis.mjs';

let redis = null;
if (!process.env.REDIS_URL) {
  ensureRedisServer();
  redis = await startRedis(await freePort());
  process.env.REDIS_URL = redis.url;
}

const args = ['vitest', 'run', ...process.argv.slice(2).filter((arg) => arg !== '--')];
const child = spawn('pnpm', ['exec', ...args], { stdio: 'inherit', env: process.env });
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await redis?.stop();
process.exit(code);
