import type { Kysely, Migration } from 'kysely';

/**
 * `claimed_by`: a hash of the browser that first opened a session's page. Only that browser sees the session
 * afterwards, so a forwarded or leaked session link never shows what the person typed.
 */
export const sessionClaim: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').addColumn('claimed_by', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').dropColumn('claimed_by').execute();
  },
};
