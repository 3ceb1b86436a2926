/**
 * The store for many instances: PostgreSQL through `pg` (a pool) and kysely's PostgresDialect. Only what is
 * PostgreSQL's lives here: the pool and its TLS options, the advisory lock around migrations, NOTIFY inside
 * each step's transaction and the LISTEN connection that feeds this instance's change feed.
 */

import { createRequire } from 'node:module';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { DecryptionError } from '../crypto/envelope.js';
import { type KeyRing, KeyRingError } from '../crypto/key-ring.js';
import { resolveKeyRing } from '../crypto/key-source.js';
import { LocalChangeFeed } from './change-feed.js';
import { migrationProviderFor } from './migrations/index.js';
import { namedStatementPool } from './pg-named-statements.js';
import type { StoreTables } from './schema.js';
import { type Announce, SqlStore, type Trx } from './sql-store.js';
import type { SessionChange } from './types.js';

// pg is loaded when a PostgreSQL store opens, not at every start: a SQLite service never needs it (bench/cold-start.ts).
const require = createRequire(import.meta.url);
let pgModule: typeof pg | undefined;
const loadPg = (): typeof pg => (pgModule ??= require('pg') as typeof pg);

/** The NOTIFY channel of session changes. */
export const CHANGE_CHANNEL = 'socure_connector_session_changes';
/** Our own advisory lock key around migrations (besides kysely's), so N instances starting at once migrate once. */
const MIGRATION_LOCK = 7_265_120_519;

export interface PostgresStoreOptions {
  /** Connections in the pool (DATABASE_POOL_SIZE). Default 10. */
  poolSize?: number;
  /** Told when the LISTEN connection drops and reconnects (logs). */
  onListenError?: (err: Error) => void;
  /** Seals personal data: required (instances sharing the database must share the keys). */
  keyRing?: KeyRing;
}

/**
 * Pool options from a `postgres://` / `postgresql://` URL. `sslmode` follows libpq: `disable` (no TLS), `require`
 * and `prefer` (TLS without verifying the certificate), `verify-ca` and `verify-full` (TLS, verified).
 */
export function poolConfigFromUrl(databaseUrl: string, poolSize = 10): pg.PoolConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL: use postgres://user:password@host:5432/database');
  }
  if (!/^postgres(ql)?:$/i.test(url.protocol)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
  }
  const sslmode = url.searchParams.get('sslmode');
  url.searchParams.delete('sslmode');
  let ssl: pg.PoolConfig['ssl'];
  switch (sslmode) {
    case null:
    case 'disable':
      ssl = undefined;
      break;
    case 'allow':
    case 'prefer':
    case 'require':
      ssl = { rejectUnauthorized: false };
      break;
    case 'verify-ca':
    case 'verify-full':
      ssl = { rejectUnauthorized: true };
      break;
    default:
      throw new Error(
        `DATABASE_URL sslmode "${sslmode}" is not one of disable, allow, prefer, require, verify-ca, verify-full`,
      );
  }
  return { connectionString: url.href, ssl, max: poolSize };
}

export class PostgresStore extends SqlStore {
  readonly dialect = 'postgres' as const;
  readonly changes = new LocalChangeFeed();
  readonly #config: pg.PoolConfig;
  readonly #onListenError: ((err: Error) => void) | undefined;
  #listener: pg.Client | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: pg.PoolConfig, options: PostgresStoreOptions = {}) {
    const pool = new (loadPg().Pool)(config);
    // An idle client's error (the server restarted) must not crash the process: the pool drops that client.
    pool.on('error', () => undefined);
    // A fifth of the pool (2 of 10) inserts webhook deliveries at once: bigger batches cost less CPU per delivery
    // than more statements in flight (measured, bench/webhook-ingest.ts), and the rest stays free for sessions.
    super(
      new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool: namedStatementPool(pool) }) }),
      Math.max(1, Math.floor((config.max ?? 10) / 5)),
      options.keyRing ?? resolveKeyRing({ kind: 'postgres', url: '' }).ring,
    );
    this.#config = config;
    this.#onListenError = options.onListenError;
  }

  protected async write<T>(fn: (trx: Trx, announce: Announce) => Promise<T>): Promise<T> {
    // NOTIFY inside the transaction: PostgreSQL delivers it to every listening instance when (and only if) it
    // commits, so a page is never told of a change that was rolled back.
    return this.db.transaction().execute((trx) =>
      fn(trx, async (change: SessionChange) => {
        await sql`select pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(change)})`.execute(trx);
      }),
    );
  }

  protected override autocommit<T>(fn: (db: Kysely<StoreTables>) => Promise<T>): Promise<T> {
    return fn(this.db);
  }

  protected async migrateSchema(): Promise<void> {
    await this.assertSchemaNotNewer();
    await this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
      try {
        // kysely runs every pending migration in one transaction on PostgreSQL (DDL is transactional).
        const { error } = await new Migrator({
          db: conn,
          provider: migrationProviderFor('postgres'),
        }).migrateToLatest();
        if (error) {
          throw new Error(
            `PostgreSQL migration failed: ${error instanceof Error ? error.message : String(error)}`,
            {
              cause: error,
            },
          );
        }
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
      }
    });
  }

  /** Opens the LISTEN connection; it reconnects by itself (with a capped back-off) until the store closes. */
  async listen(): Promise<void> {
    const client = new (loadPg().Client)({ ...this.#config, max: undefined } as pg.ClientConfig);
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
      try {
        this.changes.publish(JSON.parse(message.payload) as SessionChange);
      } catch {
        // Not ours or malformed: ignored.
      }
    });
    let failed = false;
    const onFailure = (err: Error) => {
      if (failed || this.#closed) return;
      failed = true;
      this.#onListenError?.(err);
      client.end().catch(() => undefined);
      this.#scheduleReconnect(250);
    };
    client.on('error', onFailure);
    client.on('end', () => onFailure(new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
  }

  #scheduleReconnect(delayMs: number): void {
    // One pending reconnect at a time: a failed attempt's own 'end' event must not schedule a second one.
    if (this.#closed || this.#reconnect) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      this.listen().catch((err: Error) => {
        this.#onListenError?.(err);
        this.#scheduleReconnect(Math.min(delayMs * 2, 5_000));
      });
    }, delayMs);
    this.#reconnect.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnect);
    await this.#listener?.end().catch(() => undefined);
    await this.db.destroy();
  }
}

/** Opens a PostgreSQL store, migrates it (once across instances) and starts listening for changes. */
export async function openPostgresStore(
  databaseUrl: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const store = new PostgresStore(poolConfigFromUrl(databaseUrl, options.poolSize), options);
  try {
    await store.migrate();
    await store.listen();
  } catch (error) {
    await store.close();
    // A key problem is the operator's to fix in DATA_ENCRYPTION_KEYS, not a connection problem: as it is.
    if (error instanceof DecryptionError || error instanceof KeyRingError) throw error;
    const { hostname, port, pathname } = new URL(databaseUrl);
    const reason = error instanceof Error ? error.message : String(error);
    // Names the server, never the password in the URL.
    throw new Error(`cannot use PostgreSQL at ${hostname}:${port || '5432'}${pathname}: ${reason}`, {
      cause: error,
    });
  }
  return store;
}
