import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001_initial.js';
import { sessionExpiry } from './0002_session_expiry.js';

/**
 * Every migration, in order, listed statically (no directory scanning, so it runs from `dist/` and bundles).
 * Names sort lexically in the order they must run; never rename or edit an applied migration, add a new one.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001_initial': initial,
  '0002_session_expiry': sessionExpiry,
});

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...migrations };
  },
};
