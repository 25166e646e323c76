// Types for chromium.mjs, so TypeScript callers (the web app's e2e harness and benchmark) can import it.
export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: readonly string[];
export function ensureChromium(): void;
