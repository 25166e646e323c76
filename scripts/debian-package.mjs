// Installs a Debian package that a test or benchmark run needs, the way CI and these machines
// allow: as root with apt-get. Anywhere else it stops with the exact command to run.
import { spawnSync } from 'node:child_process';

export const hasCommand = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/**
 * Makes sure `present()` holds, installing `aptPackage` when it does not.
 * `alternative`, when given, is printed as another way out (e.g. "or set REDIS_URL").
 */
export function ensureDebianPackage({ aptPackage, present, alternative = '' }) {
  if (present()) return;
  const command = `sudo apt-get install -y ${aptPackage}`;
  const otherwise = alternative ? ` (${alternative})` : '';
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    console.error(`${aptPackage} is missing. Install it: ${command}${otherwise}`);
    process.exit(1);
  }
  console.log(`${aptPackage} is missing: installing it with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', aptPackage]]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed. Install it by hand: ${command}${otherwise}`);
      process.exit(1);
    }
  }
}
