import { fileURLToPath } from 'node:url';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './types.js';

export { migrationProvider, migrations } from './migrations/index.js';
export { openSqliteStore, SqliteStore } from './sqlite-store.js';
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

/** Opens and migrates the store a database URL names (see `parseDatabaseUrl`). */
export async function openStore(databaseUrl: string): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'postgres') {
    throw new Error(
      'PostgreSQL support arrives in a later release of socure-connector; for now use SQLite ' +
        '(e.g. DATABASE_URL=sqlite:./data/socure.db, or leave DATABASE_URL unset).',
    );
  }
  return openSqliteStore(target.path);
}
