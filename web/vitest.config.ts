import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Module resolution, shared with vitest.e2e.config.ts. */
export const resolution = {
  resolve: {
    alias: { '@/': fileURLToPath(new URL('./', import.meta.url)) },
  },
  // Tests run in Vite's SSR environment. Read shared's TypeScript source (its `@porter/source`
  // export), as tsc does, rather than a dist/ that may be stale or missing; the rest are Vite's
  // default server conditions.
  ssr: { resolve: { conditions: ['@porter/source', 'module', 'node', 'development|production'] } },
};

export default defineConfig({
  ...resolution,
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
