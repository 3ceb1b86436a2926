import type { Kysely, Migration } from 'kysely';

/**
 * The initial schema. Portable schema-builder calls only, so the PostgreSQL store can run the same migration.
 * Types that differ from what a PostgreSQL-only schema would use:
 * - JSON is stored as `text` (not jsonb), parsed and serialised in `rows.ts`;
 * - timestamps are `bigint` milliseconds since the epoch (INTEGER affinity in SQLite), not timestamptz;
 * - booleans are `integer` 0/1 (SQLite has no boolean; one row mapping for both dialects).
 */
export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // Engine state: no personal data.
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('flow_id', 'text', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('node_id', 'text', (col) => col.notNull())
      .addColumn('version', 'integer', (col) => col.notNull())
      .addColumn('customer_user_id', 'text')
      .addColumn('return_url', 'text')
      .addColumn('wake_at', 'bigint')
      .addColumn('wait_token', 'text')
      .addColumn('wait_reference_id', 'text')
      .addColumn('wait_customer_user_id', 'text')
      .addColumn('wait_events', 'text') // JSON array as text
      .addColumn('challenge_id', 'text')
      .addColumn('outcome', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addColumn('expires_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('sessions_status_wake_at')
      .on('sessions')
      .columns(['status', 'wake_at'])
      .execute();
    await db.schema.createIndex('sessions_wait_token').on('sessions').column('wait_token').execute();
    await db.schema
      .createIndex('sessions_wait_reference_id')
      .on('sessions')
      .column('wait_reference_id')
      .execute();
    await db.schema
      .createIndex('sessions_wait_customer_user_id')
      .on('sessions')
      .column('wait_customer_user_id')
      .execute();
    await db.schema
      .createIndex('sessions_status_updated_at')
      .on('sessions')
      .columns(['status', 'updated_at'])
      .execute();

    // A session's personal data (JSON as text): input, outputs by node id, end result.
    await db.schema
      .createTable('session_data')
      .addColumn('session_id', 'text', (col) =>
        col.primaryKey().references('sessions.id').onDelete('cascade'),
      )
      .addColumn('input', 'text', (col) => col.notNull())
      .addColumn('outputs', 'text', (col) => col.notNull())
      .addColumn('result', 'text')
      .execute();

    // Socure deliveries, committed before they are acknowledged. `payload` is personal data.
    await db.schema
      .createTable('webhook_inbox')
      .addColumn('delivery_id', 'text', (col) => col.primaryKey())
      .addColumn('event_type', 'text', (col) => col.notNull())
      .addColumn('docv_transaction_token', 'text')
      .addColumn('reference_id', 'text')
      .addColumn('customer_user_id', 'text')
      .addColumn('payload', 'text', (col) => col.notNull())
      .addColumn('authenticated', 'integer', (col) => col.notNull()) // boolean as 0/1
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      .addColumn('consumed_by', 'text')
      .execute();
    // One delivery per (token, event type). NULL tokens never collide: SQL UNIQUE treats NULLs as distinct
    // (SQLite, and PostgreSQL unless NULLS NOT DISTINCT).
    await db.schema
      .createIndex('webhook_inbox_token_event_type')
      .on('webhook_inbox')
      .columns(['docv_transaction_token', 'event_type'])
      .unique()
      .execute();
    await db.schema
      .createIndex('webhook_inbox_reference_id')
      .on('webhook_inbox')
      .column('reference_id')
      .execute();
    await db.schema
      .createIndex('webhook_inbox_customer_user_id')
      .on('webhook_inbox')
      .column('customer_user_id')
      .execute();

    await db.schema
      .createTable('timeline')
      .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('at', 'bigint', (col) => col.notNull())
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('detail', 'text', (col) => col.notNull()) // JSON object as text
      .addPrimaryKeyConstraint('timeline_pk', ['session_id', 'seq'])
      .execute();

    await db.schema
      .createTable('outbound_webhooks')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
      .addColumn('url', 'text', (col) => col.notNull())
      .addColumn('body', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull())
      .addColumn('next_attempt_at', 'bigint', (col) => col.notNull())
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('last_error', 'text')
      .execute();
    await db.schema
      .createIndex('outbound_webhooks_status_next_attempt_at')
      .on('outbound_webhooks')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('outbound_webhooks_session_id')
      .on('outbound_webhooks')
      .column('session_id')
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('value', 'text', (col) => col.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'settings',
      'outbound_webhooks',
      'timeline',
      'webhook_inbox',
      'session_data',
      'sessions',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
