import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests (Chromium via playwright-core): `npm run test:e2e`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
  },
});
