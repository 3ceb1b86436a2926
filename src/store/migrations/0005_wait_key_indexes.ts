import type { Kysely, Migration } from 'kysely';

const KEYS = ['wait_token', 'wait_reference_id', 'wait_customer_user_id'] as const;

/**
 * The wait-key indexes gain `status`: "a waiting session with this key" is then one index lookup per key. With
 * the key alone SQLite preferred a `status` index and read every waiting session, for each webhook delivery
 * (2–3 ms per delivery with 5,000 waiting, growing with their number).
 */
export const waitKeyIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    for (const key of KEYS) {
      await db.schema.dropIndex(`sessions_${key}`).execute();
      await db.schema.createIndex(`sessions_${key}_status`).on('sessions').columns([key, 'status']).execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const key of KEYS) {
      await db.schema.dropIndex(`sessions_${key}_status`).execute();
      await db.schema.createIndex(`sessions_${key}`).on('sessions').column(key).execute();
    }
  },
};
