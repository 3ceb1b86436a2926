/**
 * Opens the service's store for an administrative command (keys rotate, forget, audit): the database and the key
 * ring come from the same settings `start` reads (flags, environment, config file), so the command sees exactly
 * what the service sees. Unlike `start`, it never creates a database or a key: a typo in the URL or a missing key
 * file is an error, not a new empty database under a new key.
 */
import { existsSync } from 'node:fs';
import { KEY_RING_SETTING } from '../crypto/key-ring.js';
import { type KeySource, keyFilePath, resolveKeyRing } from '../crypto/key-source.js';
import { resolveServiceSettings } from '../server/config.js';
import { describeDatabase, openStore, parseDatabaseUrl, type Store } from '../store/index.js';
import type { DatabaseFlagValues } from './database-flags.js';
import { UsageError } from './errors.js';

export interface AdminStore {
  store: Store;
  keys: KeySource;
  /** The database for people: never its password. */
  database: string;
}

/** Chains the audit entries appended but not chained yet (by this command or any instance). */
export async function chainPendingAudit(store: Store, batch = 1000): Promise<number> {
  let chained = 0;
  for (;;) {
    const n = await store.chainAudit(batch);
    chained += n;
    if (n === 0) return chained;
  }
}

export async function openAdminStore(
  flags: DatabaseFlagValues,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AdminStore> {
  const settings = resolveServiceSettings(env, { databaseUrl: flags.databaseUrl, config: flags.config });
  const target = parseDatabaseUrl(settings.databaseUrl);
  if (target.kind === 'sqlite' && target.path !== ':memory:') {
    if (!existsSync(target.path)) {
      throw new UsageError(
        `no database at ${target.path} (--database-url / DATABASE_URL): point it at the database the service uses`,
      );
    }
    const configured = settings.dataEncryptionKeys !== undefined && settings.dataEncryptionKeys.trim() !== '';
    if (!configured && !existsSync(keyFilePath(target.path))) {
      throw new UsageError(
        `no key for ${target.path}: ${KEY_RING_SETTING} is not set and there is no key file ` +
          `${keyFilePath(target.path)} beside the database. Set ${KEY_RING_SETTING} as the service has it ` +
          '(or start the service once: it creates the key file)',
      );
    }
  }
  // PostgreSQL without keys: the KeyRingError saying how to make one.
  const keys = resolveKeyRing(target, settings.dataEncryptionKeys);
  const store = await openStore(settings.databaseUrl, {
    keyRing: keys.ring,
    poolSize: 2,
    sqliteSynchronous: settings.sqliteSynchronous,
  });
  return { store, keys, database: describeDatabase(settings.databaseUrl) };
}

/** Runs `fn` on the store and closes it, whatever happens. */
export async function withAdminStore<T>(
  flags: DatabaseFlagValues,
  fn: (admin: AdminStore) => Promise<T>,
): Promise<T> {
  const admin = await openAdminStore(flags);
  try {
    return await fn(admin);
  } finally {
    await admin.store.close();
  }
}
