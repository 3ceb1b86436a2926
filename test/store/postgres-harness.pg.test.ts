import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type PostgresServer, startPostgres } from '../support/postgres.js';

async function query<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL test harness', () => {
  let server: PostgresServer | undefined;

  beforeAll(async () => {
    server = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('starts a server that answers queries', async () => {
    const [row] = await query<{ version: string }>(server!.url, 'select version()');
    expect(row?.version).toMatch(/^PostgreSQL \d+/);
  });

  it('gives each test database its own tables, and drops it', async () => {
    const a = await createDatabase(server!.url, 'harness');
    const b = await createDatabase(server!.url, 'harness');
    try {
      expect(a.url).not.toBe(b.url);
      await query(a.url, 'create table only_in_a (id int primary key)');
      await query(a.url, 'insert into only_in_a values (1)');
      const tables = "select count(*)::int as n from pg_tables where tablename = 'only_in_a'";
      expect(await query(a.url, tables)).toEqual([{ n: 1 }]);
      expect(await query(b.url, tables)).toEqual([{ n: 0 }]);

      // A connection left open does not stop the drop.
      const lingering = new pg.Client({ connectionString: a.url });
      lingering.on('error', () => {});
      await lingering.connect();
      const nameA = new URL(a.url).pathname.slice(1);
      await a.drop();
      await a.drop(); // idempotent
      const left = await query<{ datname: string }>(
        server!.url,
        'select datname from pg_database where datname = $1',
        [nameA],
      );
      expect(left).toEqual([]);
      await lingering.end().catch(() => {});
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});
