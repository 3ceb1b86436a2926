import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests (Chromium via playwright-core): `npm run test:e2e`, on SQLite and on PostgreSQL. */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: { name: 'e2e-sqlite', include: ['e2e/**/*.e2e.ts'], exclude: ['e2e/**/*.pg.e2e.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e-postgres',
          include: ['e2e/**/*.e2e.ts'],
          globalSetup: ['./test/support/postgres.ts'],
          env: { SOCURE_TEST_DATABASE: 'postgres' },
        },
      },
    ],
  },
});
