import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from './index.js';

/**
 * Personal data at rest (issue 9). Values stay in their columns, now sealed (see src/crypto/envelope.ts); what
 * the store must find by a customerUserId holds its keyed hash instead. Added here:
 * - `sessions.customer_user_hash`: the hash beside the sealed id, for erasure; `purged_at`: when retention or an
 *   erasure removed the session's personal data (the non-personal record stays).
 * - `audit_log`: append-only; entries are written unchained (seq null) in the transaction that acts, then
 *   chained in order (seq, prev_hash, hash) by whichever instance holds the chain lock.
 * - `jobs`: a lease per scheduled job, so one instance runs it per period.
 */
export function personalData(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('customer_user_hash', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('purged_at', 'bigint').execute();
      await db.schema
        .createIndex('sessions_customer_user_hash')
        .on('sessions')
        .column('customer_user_hash')
        .execute();
      // Retention reads ended sessions not purged yet, oldest first.
      await db.schema
        .createIndex('sessions_retention')
        .on('sessions')
        .columns(['status', 'purged_at', 'updated_at'])
        .execute();
      await db.schema
        .createIndex('webhook_inbox_received_at')
        .on('webhook_inbox')
        .column('received_at')
        .execute();
      await db.schema
        .createIndex('webhook_inbox_consumed_by')
        .on('webhook_inbox')
        .column('consumed_by')
        .execute();

      // The one dialect-specific part: the chain's append order (an identity column / AUTOINCREMENT key).
      const id =
        dialect === 'postgres'
          ? sql`id bigint generated always as identity primary key`
          : sql`id integer primary key autoincrement`;
      await sql`create table audit_log (
        ${id},
        at bigint not null,
        type text not null,
        actor text not null,
        detail text not null,
        seq bigint unique,
        prev_hash text,
        hash text
      )`.execute(db);
      await db.schema
        .createTable('jobs')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('owner', 'text')
        .addColumn('lease_until', 'bigint', (col) => col.notNull())
        .addColumn('last_run_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('jobs').execute();
      await db.schema.dropTable('audit_log').execute();
      await db.schema.dropIndex('webhook_inbox_consumed_by').execute();
      await db.schema.dropIndex('webhook_inbox_received_at').execute();
      await db.schema.dropIndex('sessions_retention').execute();
      await db.schema.dropIndex('sessions_customer_user_hash').execute();
      await db.schema.alterTable('sessions').dropColumn('purged_at').execute();
      await db.schema.alterTable('sessions').dropColumn('customer_user_hash').execute();
    },
  };
}
