/**
 * Which database the engine, server and browser suites run on: SQLite by default, PostgreSQL in the test
 * project that sets SOCURE_TEST_DATABASE=postgres (vitest.config.ts; the server comes from ./postgres.ts).
 */
import { testDatabaseUrl } from './postgres.js';

export const TEST_DATABASE: 'sqlite' | 'postgres' =
  process.env.SOCURE_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

const databases = new Map<string, Promise<string>>();

/**
 * The database URL for a test's SQLite file path: the path itself on SQLite; on PostgreSQL a fresh database of
 * its own, the same one each time the same path is asked for (so a "restarted" service finds its data).
 */
export function databaseUrlFor(sqlitePath: string): Promise<string> {
  if (TEST_DATABASE === 'sqlite') return Promise.resolve(`sqlite:${sqlitePath}`);
  let url = databases.get(sqlitePath);
  if (!url) {
    url = testDatabaseUrl('t').then((db) => db.url);
    databases.set(sqlitePath, url);
  }
  return url;
}

/**
 * The key ring of test databases on PostgreSQL, which (like production) has no generated key: every store and
 * instance a test opens on one database holds it. SQLite tests use the key file the store creates beside the file.
 */
export const TEST_DATA_ENCRYPTION_KEYS = `test:${Buffer.alloc(32, 7).toString('base64')}`;

/** `DATA_ENCRYPTION_KEYS` for a test database URL: the test ring on PostgreSQL, none (the key file) on SQLite. */
export function testKeysFor(databaseUrl: string): string | undefined {
  return /^postgres(ql)?:/i.test(databaseUrl) ? TEST_DATA_ENCRYPTION_KEYS : undefined;
}
