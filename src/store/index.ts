import { fileURLToPath } from 'node:url';
import { resolveKeyRing } from '../crypto/key-source.js';
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { openSqliteStore, type SqliteSynchronous } from './sqlite-store.js';
import type { Store } from './types.js';

export { LocalChangeFeed } from './change-feed.js';
export { MIGRATION_NAMES, migrationProviderFor, migrationsFor } from './migrations/index.js';
export { openPostgresStore, PostgresStore, poolConfigFromUrl } from './postgres-store.js';
export {
  DEFAULT_SQLITE_SYNCHRONOUS,
  openSqliteStore,
  SQLITE_SYNCHRONOUS_VALUES,
  SqliteStore,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './sqlite-store.js';
export * from './types.js';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Reads a database URL: `sqlite:./data/x.db`, `sqlite:///abs/x.db`, `file:./x.db`, `file:///abs/x.db`, a bare
 * path, or `:memory:` (also `sqlite::memory:`) select SQLite; `postgres://…` / `postgresql://…` select PostgreSQL.
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  const url = databaseUrl.trim();
  if (url === '') throw new Error('database URL is empty: use a path such as sqlite:./data/socure.db');
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (/^sqlite:/i.test(url)) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite://./x.db, sqlite:///abs/x.db
    if (path === '') throw new Error(`database URL "${url}" has no path: use sqlite:./data/socure.db`);
    return { kind: 'sqlite', path };
  }
  if (/^file:/i.test(url)) {
    const path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
    if (path === '') throw new Error(`database URL "${url}" has no path: use file:./data/socure.db`);
    return { kind: 'sqlite', path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) {
    throw new Error(
      `unsupported database URL scheme "${scheme[1]}:": use a SQLite path (sqlite:./data/socure.db) or postgres://`,
    );
  }
  return { kind: 'sqlite', path: url };
}

/** Names a database for people (the start banner, logs): never its password. */
export function describeDatabase(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'sqlite') return `SQLite ${target.path}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

export interface OpenStoreOptions extends PostgresStoreOptions {
  /** SQLite only (SQLITE_SYNCHRONOUS), default `full`; ignored on PostgreSQL, whose server settings decide. */
  sqliteSynchronous?: SqliteSynchronous;
  /** The key ring as configured (DATA_ENCRYPTION_KEYS), when `keyRing` is not given; see `resolveKeyRing`. */
  dataEncryptionKeys?: string;
}

/** Opens and migrates the store a database URL names (see `parseDatabaseUrl`). */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  const { sqliteSynchronous, dataEncryptionKeys, ...postgresOptions } = options;
  const keyRing = options.keyRing ?? resolveKeyRing(target, dataEncryptionKeys).ring;
  if (target.kind === 'postgres') return openPostgresStore(target.url, { ...postgresOptions, keyRing });
  return openSqliteStore(target.path, { synchronous: sqliteSynchronous, keyRing });
}
