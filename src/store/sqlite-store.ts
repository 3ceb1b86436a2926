/**
 * The embedded store: SQLite through better-sqlite3 (WAL). Only what is SQLite's lives here (pragmas,
 * `begin immediate`, the in-process write queue and change feed); the queries are `SqlStore`'s.
 */

import { closeSync, constants, fchmodSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { resolveKeyRing } from '../crypto/key-source.js';
import { LocalChangeFeed } from './change-feed.js';
import { GroupCommit } from './group-commit.js';
import { migrationProviderFor } from './migrations/index.js';
import type { StoreTables } from './schema.js';
import { type Announce, SqlStore, type Trx } from './sql-store.js';
import Database, { type SqliteDatabase } from './sqlite-driver.js';
import { cachingDatabase } from './statement-cache.js';
import type { SessionChange } from './types.js';

/**
 * SQLite's `synchronous` pragma, the two values offered. `full` (the default) syncs the WAL on every commit, so an
 * acknowledged write survives a power failure or an OS crash. `normal` syncs only at checkpoints: faster, still
 * safe against a crash of the process, but the last commits before a power failure can be lost — a webhook
 * delivery already answered 2xx, which Socure then never resends. (`off` and `extra` are not offered.)
 */
export type SqliteSynchronous = 'full' | 'normal';
export const SQLITE_SYNCHRONOUS_VALUES: readonly SqliteSynchronous[] = ['full', 'normal'];
export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = 'full';

export interface SqliteStoreOptions {
  /** Default `full` (SQLITE_SYNCHRONOUS). */
  synchronous?: SqliteSynchronous;
  /** Seals personal data. Default: the key file beside the database (created once), or a throwaway key in memory. */
  keyRing?: KeyRing;
}

function checkSynchronous(value: unknown): SqliteSynchronous {
  if (value === undefined) return DEFAULT_SQLITE_SYNCHRONOUS;
  if (typeof value === 'string' && (SQLITE_SYNCHRONOUS_VALUES as readonly string[]).includes(value)) {
    return value as SqliteSynchronous;
  }
  throw new Error(`SQLite synchronous must be "full" or "normal" (got ${JSON.stringify(value)})`);
}

const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'] as const;

/**
 * kysely's SQLite driver with `BEGIN IMMEDIATE` transactions: the write lock is taken (waiting up to
 * `busy_timeout`) when the transaction starts, so a transaction that reads before it writes cannot fail
 * with SQLITE_BUSY_SNAPSHOT because another process committed in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Serialises the write transactions of every SqliteStore of this process on one file. better-sqlite3 is
 * synchronous: if store B waited on the lock of store A's open transaction, it would block the event loop
 * that A needs to commit, and fail after `busy_timeout`. Between processes, `busy_timeout` does the waiting.
 */
class WriteQueue {
  refs = 0;
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** Per file: the write queue and the change feed every SqliteStore of this process on that file shares. */
interface SharedFile {
  refs: number;
  queue: WriteQueue;
  feed: LocalChangeFeed;
}

const sharedFiles = new Map<string, SharedFile>();

function acquireShared(key: string | undefined): SharedFile {
  if (key === undefined) return { refs: 1, queue: new WriteQueue(), feed: new LocalChangeFeed() };
  let shared = sharedFiles.get(key);
  if (!shared) {
    shared = { refs: 0, queue: new WriteQueue(), feed: new LocalChangeFeed() };
    sharedFiles.set(key, shared);
  }
  shared.refs += 1;
  return shared;
}

function releaseShared(key: string | undefined): void {
  if (key === undefined) return;
  const shared = sharedFiles.get(key);
  if (shared && --shared.refs <= 0) sharedFiles.delete(key);
}

/**
 * The embedded store: one file, one machine. Changes are announced in-process only: another process on the
 * same file is not told (its pages fall back to their slow poll).
 */
export class SqliteStore extends SqlStore {
  readonly dialect = 'sqlite' as const;
  readonly #database: SqliteDatabase;
  readonly #key: string | undefined;
  readonly #shared: SharedFile;
  readonly #group: GroupCommit<StoreTables>;
  #closed = false;

  /** Takes ownership of `database` (closed by `close()`); sets the pragmas. Call `migrate()` before use. */
  constructor(database: SqliteDatabase, options: SqliteStoreOptions = {}) {
    const synchronous = checkSynchronous(options.synchronous);
    database.pragma('busy_timeout = 5000');
    enableWal(database);
    database.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    database.pragma('foreign_keys = ON');
    // Deleted and overwritten records are zeroed where it costs no extra I/O; erasure and retention zero freed
    // pages too (`scrubbing`). Always ON cost ~20 % of session starts (bench/session-start.ts).
    database.pragma('secure_delete = FAST');
    super(
      new Kysely<StoreTables>({
        dialect: new ImmediateSqliteDialect({ database: cachingDatabase(database) }),
      }),
      1,
      options.keyRing ??
        resolveKeyRing({ kind: 'sqlite', path: database.memory ? ':memory:' : database.name }).ring,
    );
    this.#database = database;
    this.#key = database.memory ? undefined : realpathSync(database.name);
    this.#shared = acquireShared(this.#key);
    this.#group = new GroupCommit(
      this.db,
      (batch) => this.#shared.queue.run(batch),
      () => database.inTransaction,
    );
  }

  get changes(): LocalChangeFeed {
    return this.#shared.feed;
  }

  /** The file this store writes to, or `:memory:`. */
  get path(): string {
    return this.#database.memory ? ':memory:' : this.#database.name;
  }

  /** The `synchronous` pragma as this store's connection reports it (`full` unless set otherwise). */
  get synchronous(): (typeof SYNCHRONOUS_NAMES)[number] {
    const level = Number(this.#database.pragma('synchronous', { simple: true }));
    return SYNCHRONOUS_NAMES[level] ?? 'full';
  }

  protected async write<T>(fn: (trx: Trx, announce: Announce) => Promise<T>): Promise<T> {
    const changes: SessionChange[] = [];
    const result = await this.#group.run((trx) =>
      fn(trx, async (change) => {
        changes.push(change);
      }),
    );
    for (const change of changes) this.#shared.feed.publish(change);
    return result;
  }

  protected async migrateSchema(): Promise<void> {
    await this.assertSchemaNotNewer();
    // The whole run (kysely's bookkeeping tables, the state check and every pending migration) happens in one
    // `begin immediate` transaction: other processes wait for it, and a failed migration leaves nothing behind.
    // (kysely's SQLite adapter has no lock of its own and does not use transactions for DDL.)
    await this.#shared.queue.run(() =>
      this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const migrator = new Migrator({ db: conn, provider: migrationProviderFor('sqlite') });
          const { error } = await migrator.migrateToLatest();
          if (error) throw error;
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw new Error(
            `SQLite migration failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
      }),
    );
  }

  #scrubbers = 0;

  /**
   * Erasure and retention: freed pages are zeroed too (`secure_delete = ON` while any runs), then the WAL, which
   * still holds the removed records' old pages, is copied back and truncated — so what was removed (sealed, but
   * with its wrapped key) does not linger in the files for whoever holds them and the key.
   */
  protected override async scrubbing<T>(fn: () => Promise<T>): Promise<T> {
    const queue = this.#shared.queue;
    await queue.run(async () => {
      if (this.#scrubbers++ === 0) this.#database.pragma('secure_delete = ON');
    });
    try {
      return await fn();
    } finally {
      await queue.run(async () => {
        if (--this.#scrubbers === 0) this.#database.pragma('secure_delete = FAST');
        this.#database.pragma('wal_checkpoint(TRUNCATE)');
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Let queued writes of this process finish before the connection goes away.
    await this.#shared.queue.run(async () => undefined);
    releaseShared(this.#key);
    await this.db.destroy();
  }
}

/**
 * Opens (creating the file and its directory if needed) and migrates a SQLite store. `:memory:` works too.
 * A new database file is created 0600 (SQLite gives its -wal and -shm files the database file's mode) and
 * directories created for it 0700: the file holds personal data and secrets. Existing files and directories
 * keep their modes.
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  checkSynchronous(options.synchronous);
  if (path !== ':memory:' && path !== '') createPrivateFile(resolve(path));
  const store = new SqliteStore(new Database(path), options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Switches a database to WAL. On a fresh file opened by several processes at once, the switch can answer
 * SQLITE_BUSY at once (busy_timeout does not cover it), so it is retried for a bounded time. Runs only on open.
 */
function enableWal(database: SqliteDatabase, timeoutMs = 5_000): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * Creates the database file (and its missing directories) readable by this user only, unless it exists.
 * Without this SQLite creates it 0644 (umask permitting): readable by every local user.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
  } finally {
    closeSync(fd);
  }
}
