import { type Kysely, type Migration, sql } from 'kysely';

/**
 * What several instances on one database need, and nothing that relies on SQLite's single writer:
 * - session leases (`lease_owner`, `lease_until`): a step runs only while its runner holds the lease;
 * - the timeline keyed by the session version that wrote it (no `max(seq) + 1`), rebuilt as `session_timeline`;
 * - the inbox ordered by an explicit sequence column (no `rowid`), and `correlate_by`: when a delivery whose
 *   receiving instance died must be correlated by a sweep (null once correlated).
 * The inbox's sequence column is the one dialect-specific part (an identity column / AUTOINCREMENT key).
 */
export function manyInstances(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('lease_until', 'bigint').execute();
      await db.schema
        .createIndex('sessions_status_lease_until')
        .on('sessions')
        .columns(['status', 'lease_until'])
        .execute();

      await db.schema
        .createTable('session_timeline')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('detail', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('session_timeline_pk', ['session_id', 'version', 'idx'])
        .execute();
      // Entries written before this migration keep their order ahead of every later one (version 0).
      await sql`insert into session_timeline (session_id, version, idx, at, type, detail)
        select session_id, 0, seq, at, type, detail from timeline`.execute(db);
      await db.schema.dropTable('timeline').execute();

      if (dialect === 'postgres') {
        await sql`alter table webhook_inbox add column seq bigint generated always as identity`.execute(db);
        await db.schema.alterTable('webhook_inbox').addColumn('correlate_by', 'bigint').execute();
      } else {
        // SQLite cannot add a key column: rebuild the table with an AUTOINCREMENT sequence.
        await sql`create table webhook_inbox_v3 (
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
        )`.execute(db);
        await sql`insert into webhook_inbox_v3 (delivery_id, event_type, docv_transaction_token, reference_id,
          customer_user_id, payload, authenticated, received_at, consumed_by)
          select delivery_id, event_type, docv_transaction_token, reference_id, customer_user_id, payload,
            authenticated, received_at, consumed_by from webhook_inbox order by received_at, rowid`.execute(
          db,
        );
        await db.schema.dropTable('webhook_inbox').execute();
        await db.schema.alterTable('webhook_inbox_v3').renameTo('webhook_inbox').execute();
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
      }
      // Deliveries never consumed may never have been correlated (the old start-up pass re-checked them): the
      // first sweep after the upgrade looks at each once.
      await sql`update webhook_inbox set correlate_by = received_at where consumed_by is null`.execute(db);
      await db.schema
        .createIndex('webhook_inbox_correlate_by')
        .on('webhook_inbox')
        .column('correlate_by')
        .execute();
    },
  };
}
