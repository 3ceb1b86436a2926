/**
 * The SQLite side of the raw baselines (webhook-ingest, webhook-to-sse): a connection with the service's pragmas
 * (WAL, busy_timeout, foreign_keys, `synchronous` as BENCH_SQLITE_SYNCHRONOUS says — full by default, like the
 * service), migration 0003's `webhook_inbox` table and indexes (with 0006's two) verbatim (webhook-ingest checks they match), and
 * the one prepared INSERT a baseline runs per delivery (autocommit).
 */
import Database, { type SqliteDatabase, type SqliteStatement } from '../../src/store/sqlite-driver.js';

export interface RawInbox {
  /** The connection, for a baseline that commits more than the delivery (raw-flow-floor.ts). */
  db: SqliteDatabase;
  /** The pragma as the connection reports it. */
  synchronous: string;
  /** delivery id, event type, token, reference id, customer user id, payload, received at, correlate by. */
  insert: SqliteStatement<unknown[]>;
  close(): void;
}

export function openRawInbox(path: string): RawInbox {
  const setting = (process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full').trim().toLowerCase();
  if (setting !== 'full' && setting !== 'normal')
    throw new Error('BENCH_SQLITE_SYNCHRONOUS must be full or normal');
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${setting === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.exec(`
    create table if not exists webhook_inbox (
      seq integer primary key autoincrement,
      delivery_id text not null unique,
      event_type text not null,
      docv_transaction_token text,
      reference_id text,
      customer_user_id text,
      payload text not null,
      authenticated integer not null,
      received_at bigint not null,
      consumed_by text,
      correlate_by bigint
    );
    create unique index if not exists webhook_inbox_token_event_type
      on webhook_inbox (docv_transaction_token, event_type);
    create index if not exists webhook_inbox_reference_id on webhook_inbox (reference_id);
    create index if not exists webhook_inbox_customer_user_id on webhook_inbox (customer_user_id);
    create index if not exists webhook_inbox_correlate_by on webhook_inbox (correlate_by);
    create index if not exists webhook_inbox_received_at on webhook_inbox (received_at);
    create index if not exists webhook_inbox_consumed_by on webhook_inbox (consumed_by);
  `);
  return {
    db,
    synchronous: ['off', 'normal', 'full', 'extra'][Number(db.pragma('synchronous', { simple: true }))]!,
    insert: db.prepare(
      `insert into webhook_inbox (delivery_id, event_type, docv_transaction_token, reference_id, customer_user_id,
         payload, authenticated, received_at, consumed_by, correlate_by)
       values (?, ?, ?, ?, ?, ?, 1, ?, null, ?) on conflict do nothing`,
    ),
    close: () => db.close(),
  };
}
