import type { Kysely, Migration } from 'kysely';

/**
 * The language of a session's pages and of its DocV capture app: given on `POST /api/sessions`, else the first
 * browser's (Accept-Language) when it claims the session. Null until one of them says.
 */
export const sessionLanguage: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').addColumn('language', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('sessions').dropColumn('language').execute();
  },
};
