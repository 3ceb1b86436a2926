/**
 * Prepared statements kept between queries. kysely's SQLite driver prepares every query anew (`db.prepare` per
 * call): a third of an ingested webhook's CPU went there. Caching by SQL text makes each query a lookup; the
 * cache is bounded because `in (…)` lists with different lengths give different texts.
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const DEFAULT_CAPACITY = 256;

/** A better-sqlite3 database, as kysely's SqliteDialect sees it, whose `prepare` answers from a bounded LRU. */
export function cachingDatabase(database: Database.Database, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) {
        // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = database.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
