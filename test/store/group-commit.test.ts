/**
 * Group commit (src/store/group-commit.ts) on a real SQLite file: writes queued while one commits share the next
 * commit; each caller gets its own result or its own error; a failed write leaves no trace and does not undo the
 * others; when SQLite ends the transaction itself, every write of that batch fails (none is reported committed).
 * The prepared-statement cache (src/store/statement-cache.ts) is covered here too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql, type Transaction } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.js';
import Database, { type SqliteDatabase } from '../../src/store/sqlite-driver.js';
import { cachingDatabase } from '../../src/store/statement-cache.js';

interface Tables {
  items: { name: string };
}

let dir: string;
let raw: SqliteDatabase;
let db: Kysely<Tables>;
let batches: number;
let group: GroupCommit<Tables>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  raw = new Database(join(dir, 'g.db'));
  raw.pragma('journal_mode = WAL');
  db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: raw }) });
  await sql`create table items (name text primary key)`.execute(db);
  batches = 0;
  let tail: Promise<unknown> = Promise.resolve();
  group = new GroupCommit(
    db,
    (batch) => {
      batches++;
      const run = tail.then(batch);
      tail = run.catch(() => undefined);
      return run;
    },
    () => raw.inTransaction,
  );
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const names = () => raw.prepare('select name from items order by name').pluck().all();
const insert = (name: string) => (trx: Transaction<Tables>) =>
  trx
    .insertInto('items')
    .values({ name })
    .execute()
    .then(() => name);

describe('GroupCommit', () => {
  it('runs writes queued together in one batch and gives each its own result', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((n) => group.run(insert(n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(batches).toBe(1);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the write that failed; the others of its batch commit', async () => {
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(async (trx) => {
        await insert('b')(trx);
        throw new Error('b changed its mind');
      }),
      group.run(insert('a')), // a duplicate key: SQLite refuses this statement only
      group.run(insert('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('b changed its mind');
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(batches).toBe(1);
    expect(names()).toEqual(['a', 'c']);
  });

  it('fails every write of a batch whose transaction SQLite ended, and commits none of them', async () => {
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(async (trx) => {
        // What SQLite does on SQLITE_FULL/IOERR: the whole transaction is rolled back under the caller.
        await sql`rollback`.execute(trx);
        throw new Error('disk full');
      }),
      group.run(insert('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(names()).toEqual([]);
    // The next batch works normally.
    await group.run(insert('d'));
    expect(names()).toEqual(['d']);
  });

  it('takes writes queued while a batch commits into the next batch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = group.run(async (trx) => {
      await gate;
      return insert('a')(trx);
    });
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((n) => group.run(insert(n)));
    release();
    await Promise.all([first, ...later]);
    expect(batches).toBe(2);
    expect(names()).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('cachingDatabase', () => {
  it('prepares each SQL text once and evicts the least recently used past its capacity', () => {
    let prepared = 0;
    const counting = new Proxy(raw, {
      get(target, key) {
        if (key === 'prepare')
          return (text: string) => {
            prepared++;
            return target.prepare(text);
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const cached = cachingDatabase(counting, 2);
    const one = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(one);
    cached.prepare('select 2');
    cached.prepare('select 1'); // most recent again
    cached.prepare('select 3'); // evicts `select 2`
    expect(prepared).toBe(3);
    expect(cached.prepare('select 1')).toBe(one);
    cached.prepare('select 2');
    expect(prepared).toBe(4);
    expect(one.all([])).toEqual([{ 1: 1 }]);
  });
});
