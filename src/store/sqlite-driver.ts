import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

/**
 * better-sqlite3, in the major that works on this Node: 13 (the optional `better-sqlite3-napi`, Node-API) from Node
 * 22.14 on — 12's finalizers abort Node 24.19+ with "Assertion failed: (env) != nullptr" when a statement is
 * collected after its environment is gone — and 12 before (13 needs Node-API 10, which Node 20 lacks, so npm skips
 * it there). Both have the same API. 12 is the fallback when the optional build is missing.
 */
function load(): typeof BetterSqlite3 {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 14)) {
    try {
      return require('better-sqlite3-napi') as typeof BetterSqlite3;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  return require('better-sqlite3') as typeof BetterSqlite3;
}

/** The better-sqlite3 Database class (see load()). */
const Database: typeof BetterSqlite3 = load();
export default Database;

/** An open database and a prepared statement of whichever major was loaded. */
export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteStatement<P extends unknown[] = unknown[]> = BetterSqlite3.Statement<P>;
