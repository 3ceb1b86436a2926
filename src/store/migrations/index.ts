import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001_initial.js';
import { sessionExpiry } from './0002_session_expiry.js';
import { manyInstances } from './0003_many_instances.js';
import { sessionClaim } from './0004_session_claim.js';
import { waitKeyIndexes } from './0005_wait_key_indexes.js';
import { personalData } from './0006_personal_data.js';
import { sessionLanguage } from './0007_session_language.js';
import { sessionList } from './0008_session_list.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * Every migration, in order, listed statically (no directory scanning, so it runs from `dist/` and bundles).
 * Names sort lexically in the order they must run; never rename or edit an applied migration, add a new one.
 */
export function migrationsFor(dialect: StoreDialect): Readonly<Record<string, Migration>> {
  return Object.freeze({
    '0001_initial': initial,
    '0002_session_expiry': sessionExpiry,
    '0003_many_instances': manyInstances(dialect),
    '0004_session_claim': sessionClaim,
    '0005_wait_key_indexes': waitKeyIndexes,
    '0006_personal_data': personalData(dialect),
    '0007_session_language': sessionLanguage,
    '0008_session_list': sessionList,
  });
}

export function migrationProviderFor(dialect: StoreDialect): MigrationProvider {
  const migrations = migrationsFor(dialect);
  return {
    async getMigrations() {
      return { ...migrations };
    },
  };
}

/** The names this code knows, in order: a database that has applied any other is newer than the code. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrationsFor('sqlite'));
