import type { TestProject } from 'vitest/node';
import { ensureChromium } from '../../../scripts/chromium.mjs';
import { ensureRedisServer, freePort } from '../../../scripts/redis.mjs';
import { buildApps } from '../harness/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The port the web app's rewrites were built for; the stack's server listens there. */
    serverPort: number;
  }
}

/**
 * Once per run, before any test: what the machine lacks (Redis, Chromium) is installed, and
 * shared, the server and the web app are built, so `pnpm test` needs no earlier step.
 */
export default async function setup(project: TestProject): Promise<void> {
  ensureRedisServer();
  ensureChromium();
  const serverPort = await freePort();
  await buildApps(serverPort);
  project.provide('serverPort', serverPort);
}
