import { defineConfig } from 'vitest/config';

/**
 * Opt-in end-to-end suites against real tools (`npm run test:e2e`). Each suite runs only when
 * its BOOTSTRAP_E2E value is set, e.g. BOOTSTRAP_E2E=kind for test/e2e/kind-registry.e2e.test.ts
 * (real docker, kind, helm and kubectl).
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
