/**
 * The embedded store: SQLite through better-sqlite3 (WAL), queried with kysely. SQLite-specific SQL
 * (pragmas, `begin immediate`, `rowid`) stays in this file; the schema and row mapping are shared.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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
  type Transaction,
} from 'kysely';
import { migrationProvider } from './migrations/index.js';
import {
  fromJson,
  sessionPatchColumns,
  toInboxDelivery,
  toJson,
  toOutboundWebhook,
  toSessionRow,
  toTimelineEvent,
} from './rows.js';
import type { SessionDataTable, SessionsTable, StoreTables } from './schema.js';
import type {
  CorrelationKeys,
  InboxDelivery,
  NewSession,
  OutboundStatus,
  OutboundWebhook,
  SessionData,
  SessionPatch,
  SessionRow,
  Store,
  TimelineEvent,
} from './types.js';

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

const writeQueues = new Map<string, WriteQueue>();

function acquireWriteQueue(key: string | undefined): WriteQueue {
  if (key === undefined) return new WriteQueue();
  let queue = writeQueues.get(key);
  if (!queue) {
    queue = new WriteQueue();
    writeQueues.set(key, queue);
  }
  queue.refs += 1;
  return queue;
}

function releaseWriteQueue(key: string | undefined): void {
  if (key === undefined) return;
  const queue = writeQueues.get(key);
  if (queue && --queue.refs <= 0) writeQueues.delete(key);
}

type Trx = Transaction<StoreTables>;

export class SqliteStore implements Store {
  readonly #database: Database.Database;
  readonly #db: Kysely<StoreTables>;
  readonly #queueKey: string | undefined;
  readonly #queue: WriteQueue;
  #closed = false;

  /** Takes ownership of `database` (closed by `close()`); sets the pragmas. Call `migrate()` before use. */
  constructor(database: Database.Database) {
    database.pragma('busy_timeout = 5000');
    enableWal(database);
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    this.#database = database;
    this.#db = new Kysely<StoreTables>({ dialect: new ImmediateSqliteDialect({ database }) });
    this.#queueKey = database.memory ? undefined : realpathSync(database.name);
    this.#queue = acquireWriteQueue(this.#queueKey);
  }

  /** The file this store writes to, or `:memory:`. */
  get path(): string {
    return this.#database.memory ? ':memory:' : this.#database.name;
  }

  #write<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.#queue.run(() => this.#db.transaction().execute(fn));
  }

  async migrate(): Promise<void> {
    // The whole run (kysely's bookkeeping tables, the state check and every pending migration) happens in one
    // `begin immediate` transaction: other processes wait for it, and a failed migration leaves nothing behind.
    // (kysely's SQLite adapter has no lock of its own and does not use transactions for DDL.)
    await this.#queue.run(() =>
      this.#db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const { error } = await new Migrator({ db: conn, provider: migrationProvider }).migrateToLatest();
          if (error) throw error;
          await sql`commit`.execute(conn);
        } catch (error) {
          await sql`rollback`.execute(conn);
          throw new Error(
            `SQLite migration failed: ${error instanceof Error ? error.message : String(error)}`,
            {
              cause: error,
            },
          );
        }
      }),
    );
  }

  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      await sql`select 1`.execute(this.#db);
      const migrations = await new Migrator({ db: this.#db, provider: migrationProvider }).getMigrations();
      const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
      if (pending.length > 0) return { ok: false, detail: `pending migrations: ${pending.join(', ')}` };
      return { ok: true, detail: `sqlite: ${migrations.length} migration(s) applied` };
    } catch (error) {
      return { ok: false, detail: `sqlite: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Let queued writes of this process finish before the connection goes away.
    await this.#queue.run(async () => undefined);
    releaseWriteQueue(this.#queueKey);
    await this.#db.destroy();
  }

  // --- sessions ---

  createSession(session: NewSession, now: number): Promise<SessionRow> {
    const row: SessionsTable = {
      id: session.id,
      flow_id: session.flowId,
      status: 'running',
      node_id: session.nodeId,
      version: 1,
      customer_user_id: session.customerUserId,
      return_url: session.returnUrl,
      wake_at: null,
      wait_token: null,
      wait_reference_id: null,
      wait_customer_user_id: null,
      wait_events: null,
      challenge_id: null,
      outcome: null,
      created_at: now,
      updated_at: now,
      expires_at: session.expiresAt,
    };
    return this.#write(async (trx) => {
      await trx.insertInto('sessions').values(row).execute();
      await trx
        .insertInto('session_data')
        .values({ session_id: session.id, input: toJson(session.input), outputs: '{}', result: null })
        .execute();
      return toSessionRow(row);
    });
  }

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = await this.#db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSessionRow(row);
  }

  async getSessionData(id: string): Promise<SessionData | undefined> {
    const row = await this.#db
      .selectFrom('session_data')
      .selectAll()
      .where('session_id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      input: fromJson<Record<string, unknown>>(row.input),
      outputs: fromJson<Record<string, unknown>>(row.outputs),
      result: row.result === null ? null : fromJson<Record<string, unknown>>(row.result),
    };
  }

  updateSession(
    id: string,
    expectedVersion: number,
    patch: SessionPatch,
    now: number,
    data?: {
      output?: { nodeId: string; value: unknown };
      result?: Record<string, unknown>;
      consumedDelivery?: string;
    },
  ): Promise<SessionRow | undefined> {
    return this.#write(async (trx) => {
      // The version check and the write are one statement: no read-then-write.
      const row = await trx
        .updateTable('sessions')
        .set((eb) => ({ ...sessionPatchColumns(patch), version: eb('version', '+', 1), updated_at: now }))
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const output = data?.output;
      const result = data?.result;
      if (output !== undefined || result !== undefined) {
        const set: Partial<SessionDataTable> = {};
        if (output !== undefined) {
          // Safe to read-modify-write: this transaction holds the write lock since the update above.
          const current = await trx
            .selectFrom('session_data')
            .select('outputs')
            .where('session_id', '=', id)
            .executeTakeFirstOrThrow();
          const outputs = fromJson<Record<string, unknown>>(current.outputs);
          Object.defineProperty(outputs, output.nodeId, {
            value: output.value === undefined ? null : output.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          set.outputs = toJson(outputs);
        }
        if (result !== undefined) set.result = toJson(result);
        await trx.updateTable('session_data').set(set).where('session_id', '=', id).execute();
      }
      if (data?.consumedDelivery !== undefined) {
        await trx
          .updateTable('webhook_inbox')
          .set({ consumed_by: id })
          .where('delivery_id', '=', data.consumedDelivery)
          .execute();
      }
      return toSessionRow(row);
    });
  }

  async listDueSessions(now: number, limit: number): Promise<SessionRow[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('status', '=', 'waiting')
      .where('wake_at', '<=', now)
      .orderBy('wake_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toSessionRow);
  }

  async listExpiredSessions(now: number, limit: number): Promise<SessionRow[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('status', '!=', 'completed')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toSessionRow);
  }

  async listStalledSessions(before: number, limit: number): Promise<SessionRow[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('status', '=', 'running')
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toSessionRow);
  }

  async findWaitingSessions(keys: CorrelationKeys): Promise<SessionRow[]> {
    const { docvTransactionToken: token, referenceId, customerUserId } = keys;
    if (token == null && referenceId == null && customerUserId == null) return [];
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('status', '=', 'waiting')
      .where((eb) => {
        const any = [];
        if (token != null) any.push(eb('wait_token', '=', token));
        if (referenceId != null) any.push(eb('wait_reference_id', '=', referenceId));
        if (customerUserId != null) any.push(eb('wait_customer_user_id', '=', customerUserId));
        return eb.or(any);
      })
      .orderBy('updated_at')
      .orderBy('id')
      .execute();
    return rows.map(toSessionRow);
  }

  // --- webhook inbox ---

  insertDelivery(delivery: Omit<InboxDelivery, 'consumedBy'>): Promise<'inserted' | 'duplicate'> {
    return this.#write(async (trx) => {
      // DO NOTHING on any unique conflict: the delivery id or the (token, event type) pair.
      const result = await trx
        .insertInto('webhook_inbox')
        .values({
          delivery_id: delivery.deliveryId,
          event_type: delivery.eventType,
          docv_transaction_token: delivery.docvTransactionToken,
          reference_id: delivery.referenceId,
          customer_user_id: delivery.customerUserId,
          payload: delivery.payload,
          authenticated: delivery.authenticated ? 1 : 0,
          received_at: delivery.receivedAt,
          consumed_by: null,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n ? 'inserted' : 'duplicate';
    });
  }

  async findDeliveries(keys: CorrelationKeys, eventTypes: readonly string[]): Promise<InboxDelivery[]> {
    const { docvTransactionToken: token, referenceId, customerUserId } = keys;
    if (token == null && referenceId == null && customerUserId == null) return [];
    if (eventTypes.length === 0) return [];
    const rows = await this.#db
      .selectFrom('webhook_inbox')
      .selectAll()
      .where('event_type', 'in', [...eventTypes])
      .where((eb) => {
        const any = [];
        if (token != null) any.push(eb('docv_transaction_token', '=', token));
        if (referenceId != null) any.push(eb('reference_id', '=', referenceId));
        if (customerUserId != null) any.push(eb('customer_user_id', '=', customerUserId));
        return eb.or(any);
      })
      .orderBy('received_at')
      .orderBy(sql`rowid`) // insertion order on equal timestamps (PostgreSQL would need an identity column)
      .execute();
    return rows.map(toInboxDelivery);
  }

  async markDeliveryConsumed(deliveryId: string, sessionId: string): Promise<void> {
    await this.#write((trx) =>
      trx
        .updateTable('webhook_inbox')
        .set({ consumed_by: sessionId })
        .where('delivery_id', '=', deliveryId)
        .execute(),
    );
  }

  // --- timeline ---

  async appendTimeline(
    sessionId: string,
    type: string,
    detail: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    await this.#write(async (trx) => {
      const last = await trx
        .selectFrom('timeline')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      await trx
        .insertInto('timeline')
        .values({ session_id: sessionId, seq, at: now, type, detail: toJson(detail) })
        .execute();
    });
  }

  async listTimeline(sessionId: string): Promise<TimelineEvent[]> {
    const rows = await this.#db
      .selectFrom('timeline')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('seq')
      .execute();
    return rows.map(toTimelineEvent);
  }

  // --- outbound webhooks ---

  async enqueueOutbound(webhook: Omit<OutboundWebhook, 'attempts' | 'status' | 'lastError'>): Promise<void> {
    await this.#write((trx) =>
      trx
        .insertInto('outbound_webhooks')
        .values({
          id: webhook.id,
          session_id: webhook.sessionId,
          url: webhook.url,
          body: webhook.body,
          attempts: 0,
          next_attempt_at: webhook.nextAttemptAt,
          status: 'pending',
          last_error: null,
        })
        .execute(),
    );
  }

  claimDueOutbound(now: number, leaseUntil: number, limit: number): Promise<OutboundWebhook[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.#write(async (trx) => {
      const due = await trx
        .selectFrom('outbound_webhooks')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((row) => row.id);
      const claimed = await trx
        .updateTable('outbound_webhooks')
        .set((eb) => ({ next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', ids)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .returningAll()
        .execute();
      const order = new Map(ids.map((id, index) => [id, index]));
      return claimed.map(toOutboundWebhook).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
  }

  async recordOutboundAttempt(
    id: string,
    result: { status: OutboundStatus; nextAttemptAt: number; lastError: string | null },
  ): Promise<void> {
    await this.#write((trx) =>
      trx
        .updateTable('outbound_webhooks')
        .set({ status: result.status, next_attempt_at: result.nextAttemptAt, last_error: result.lastError })
        .where('id', '=', id)
        .execute(),
    );
  }

  async listOutbound(sessionId: string): Promise<OutboundWebhook[]> {
    const rows = await this.#db
      .selectFrom('outbound_webhooks')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .execute();
    return rows.map(toOutboundWebhook);
  }

  // --- settings ---

  async getOrCreateSetting(name: string, create: () => string): Promise<string> {
    const existing = await this.#readSetting(name);
    if (existing !== undefined) return existing;
    const value = create();
    // Insert if absent, then read: when two processes race, both return the value that was committed first.
    await this.#write((trx) =>
      trx
        .insertInto('settings')
        .values({ name, value })
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    const stored = await this.#readSetting(name);
    if (stored === undefined) throw new Error(`setting ${name} vanished after insert`);
    return stored;
  }

  async #readSetting(name: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value;
  }
}

/** Opens (creating the file and its directory if needed) and migrates a SQLite store. `:memory:` works too. */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(resolve(path)), { recursive: true });
  const store = new SqliteStore(new Database(path));
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
function enableWal(database: Database.Database, timeoutMs = 5_000): void {
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
