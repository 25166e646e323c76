import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runToCompletion } from '../test/harness/processes';
import { NEXT_BIN, ROOT_DIR, WEB_DIR } from '../test/harness/stack';

/*
 * The builds `pnpm bench:page` needs, each redone only when its sources changed since it was
 * made: a hash of the sources (every file git tracks or would track under the listed paths) is
 * written into the build's output and compared next time. `next build` empties its output
 * first, so a build made by anything else never carries a matching stamp.
 */

export const FIXTURE_DIR = `${WEB_DIR}bench/fixtures/next-auth`;

interface Build {
  readonly name: string;
  /** Where the hash is kept: inside the build's output. */
  readonly stamp: string;
  /** Sources, relative to the repository root. */
  readonly sources: readonly string[];
  readonly command: readonly [string, ...string[]];
}

const SHARED = ['shared/src', 'shared/package.json', 'pnpm-lock.yaml'];
const WEB = ['web/app', 'web/lib', 'web/proxy.ts', 'web/next.config.ts', 'web/package.json', 'web/tsconfig.json'];

const BUILDS: readonly Build[] = [
  {
    name: 'server',
    stamp: `${ROOT_DIR}server/dist/.bench-sources`,
    sources: [...SHARED, 'server/src', 'server/package.json', 'server/tsconfig.json'],
    command: ['pnpm', '--filter', '@porter/server', 'build'],
  },
  {
    name: 'web app',
    stamp: `${WEB_DIR}.next/.bench-sources`,
    sources: [...SHARED, ...WEB],
    command: ['pnpm', '--filter', '@porter/web', 'build'],
  },
  {
    name: 'next-auth fixture',
    stamp: `${FIXTURE_DIR}/.next/.bench-sources`,
    sources: [...SHARED, ...WEB, 'web/bench/fixtures/next-auth'],
    command: [process.execPath, NEXT_BIN, 'build', FIXTURE_DIR],
  },
];

function hashOf(sources: readonly string[]): string {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z', '--', ...sources], { cwd: ROOT_DIR, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(`${ROOT_DIR}${file}`))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(`${ROOT_DIR}${file}`)).update('\0');
  return hash.digest('hex');
}

/** Builds what changed (shared is built by the web app's build script), in order. */
export async function buildAll(): Promise<void> {
  const env = { ...process.env, NODE_ENV: undefined, NEXT_TELEMETRY_DISABLED: '1' };
  for (const build of BUILDS) {
    const hash = hashOf(build.sources);
    if (existsSync(build.stamp) && readFileSync(build.stamp, 'utf8') === hash) {
      console.log(`${build.name}: build is up to date`);
      continue;
    }
    console.log(`${build.name}: building…`);
    const [command, ...args] = build.command;
    await runToCompletion(command, args, { cwd: ROOT_DIR, env });
    writeFileSync(build.stamp, hash);
  }
}
