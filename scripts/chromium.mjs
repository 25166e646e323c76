// Debian's Chromium for the web app's end-to-end tests and benchmark, driven by playwright-core:
// never a browser download (the machines reach Debian's packages and npm, nothing else).
import { existsSync } from 'node:fs';
import { ensureDebianPackage } from './debian-package.mjs';

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

/** Makes sure Chromium exists: installs it as root with apt-get, or stops with the command to run. */
export function ensureChromium() {
  ensureDebianPackage({ aptPackage: 'chromium', present: () => existsSync(CHROMIUM_PATH) });
}
