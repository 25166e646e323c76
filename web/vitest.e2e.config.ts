import { defineConfig } from 'vitest/config';
import { resolution } from './vitest.config';

// The browser scenarios: the real stack (test/harness/stack.ts) driven through Debian's Chromium.
export default defineConfig({
  ...resolution,
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    // Each file starts its own stack on fixed-at-build ports: one file at a time.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results/e2e.json' }]],
  },
});
