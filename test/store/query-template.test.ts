/**
 * Query templates (src/store/query-template.ts): a query compiled once runs with each call's values in its
 * slots, and keeps the parameters the builder made of literals.
 */

import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTemplate, slot, TemplateCache } from '../../src/store/query-template.js';
import Database from '../../src/store/sqlite-driver.js';

interface Tables {
  people: { name: string; status: string; age: number };
}

let db: Kysely<Tables>;
beforeAll(async () => {
  db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await sql`create table people (name text primary key, status text not null, age integer not null)`.execute(
    db,
  );
});
afterAll(() => db.destroy());

describe('query templates', () => {
  it('runs with each call’s values in its slots and keeps literal parameters', async () => {
    const insert = compileTemplate(
      db
        .insertInto('people')
        .values({ name: slot(0), status: 'active', age: slot(1) as unknown as number })
        .returning(['name', 'status', 'age'])
        .compile(),
    );
    expect(await insert.run(db as Kysely<unknown>, ['ada', 36])).toEqual([
      { name: 'ada', status: 'active', age: 36 },
    ]);
    expect(await insert.run(db as Kysely<unknown>, ['alan', 41])).toEqual([
      { name: 'alan', status: 'active', age: 41 },
    ]);
    const count = await db
      .selectFrom('people')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(count?.n).toBe(2);
  });

  it('TemplateCache compiles one template per key, on first use', async () => {
    let built = 0;
    const cache = new TemplateCache((rows) => {
      built++;
      return db
        .selectFrom('people')
        .select('name')
        .where(
          'name',
          'in',
          Array.from({ length: rows }, (_, i) => slot(i)),
        )
        .orderBy('name')
        .compile();
    });
    expect(await cache.get(1).run(db as Kysely<unknown>, ['ada'])).toEqual([{ name: 'ada' }]);
    expect(await cache.get(2).run(db as Kysely<unknown>, ['alan', 'ada'])).toEqual([
      { name: 'ada' },
      { name: 'alan' },
    ]);
    expect(await cache.get(1).run(db as Kysely<unknown>, ['alan'])).toEqual([{ name: 'alan' }]);
    expect(built).toBe(2);
  });
});
