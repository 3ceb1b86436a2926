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
