// Debian's Chromium for the web app's end-to-end tests and benchmark, driven by playwright-core:
// never a browser download (the machines reach Debian's packages and npm, nothing else).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless run on a closed network: without the background-networking ones,
 * Chromium keeps trying to reach Google's services (component updates, sync, QUIC probes).
 */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]);

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Makes sure Chromium exists: installs it as root with apt-get, or stops with the command to run. */
export function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return;
  const root = process.getuid?.() === 0;
  if (!root || !has('apt-get')) {
    console.error(`Chromium is missing at ${CHROMIUM_PATH}. Install it: sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.log('chromium is missing: installing it with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install it by hand: sudo apt-get install -y chromium`);
      process.exit(1);
    }
  }
}
