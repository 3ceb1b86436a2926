import type { Kysely, Migration } from 'kysely';

/** Finds unfinished sessions past their time to live (`listExpiredSessions`) without a table scan. */
export const sessionExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('sessions_status_expires_at')
      .on('sessions')
      .columns(['status', 'expires_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('sessions_status_expires_at').execute();
  },
};
