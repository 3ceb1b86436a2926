import type { Kysely, Migration } from 'kysely';

/**
 * The session list of the API (`GET /api/sessions`), newest first in keyset pages: `(created_at, id)` serves the
 * unfiltered list and the flow filter (a few flows share the rows), `(status, created_at, id)` the status filter
 * (e.g. the few waiting sessions among many completed ones). The customer filter uses
 * `sessions_customer_user_hash` (one person's sessions, sorted). No flow index: every index costs each step's
 * update on PostgreSQL, and a flow is seldom rare enough to need one.
 */
export const sessionList: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('sessions_created_at_id')
      .on('sessions')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('sessions_status_created_at_id')
      .on('sessions')
      .columns(['status', 'created_at', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('sessions_status_created_at_id').execute();
    await db.schema.dropIndex('sessions_created_at_id').execute();
  },
};
