import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATION_NAMES,
  migrationProviderFor,
  openSqliteStore,
  openStore,
  parseDatabaseUrl,
  SqliteStore,
  type Store,
} from '../../src/store/index.js';
import Database from '../../src/store/sqlite-driver.js';
import {
  type ContractDatabase,
  describeStoreContract,
  expectReleaseAt0002DataKept,
  FREE,
  newSession,
  OLD_MIGRATION,
  outbound,
  seedReleaseAt0002,
  step,
} from './contract.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/race-worker.ts', import.meta.url));

/** A fresh SQLite file per test; every store of the test opens that file (separate connections, one process). */
async function sqliteDatabase(): Promise<ContractDatabase> {
  const home = mkdtempSync(join(tmpdir(), 'socure-store-contract-'));
  const path = join(home, 'store.db');
  const stores: Store[] = [];
  const track = <S extends Store>(store: S): S => {
    stores.push(store);
    return store;
  };
  return {
    open: async () => track(await openSqliteStore(path)),
    openUnmigrated: async () => track(new SqliteStore(new Database(path))),
    query: async (statement) => {
      const raw = new Database(path);
      try {
        const prepared = raw.prepare(statement);
        if (prepared.reader) return prepared.all() as Record<string, unknown>[];
        prepared.run();
        return [];
      } finally {
        raw.close();
      }
    },
    cleanup: async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describeStoreContract('SQLite', sqliteDatabase);

// --- what only SQLite has: the file, its pragmas, several OS processes on one file ---

let dir: string;
let fileCounter = 0;
const open: Store[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'socure-store-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function dbFile(): string {
  fileCounter += 1;
  return join(dir, `nested-${fileCounter}`, 'store.db');
}

async function fresh(path = dbFile()): Promise<SqliteStore> {
  const store = await openSqliteStore(path);
  open.push(store);
  return store;
}

/** A file migrated to 0002 (the release before many instances), through kysely's Migrator. */
async function releaseAt0002(path: string): Promise<Kysely<unknown>> {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  const result = await new Migrator({ db, provider: migrationProviderFor('sqlite') }).migrateTo(
    OLD_MIGRATION,
  );
  expect(result.error).toBeUndefined();
  expect(result.results?.map((r) => r.migrationName)).toEqual(['0001_initial', OLD_MIGRATION]);
  return db;
}

function tableNames(path: string): string[] {
  const raw = new Database(path, { readonly: true });
  try {
    return (
      raw
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as {
        name: string;
      }[]
    )
      .map((row) => row.name)
      .sort();
  } finally {
    raw.close();
  }
}

/** Runs the worker in separate Node processes, released together once all are ready. */
async function runWorkers(path: string, names: string[], count: number, mode: 'race' | 'migrate') {
  const offset = (i: number) => String(Math.floor((i * count) / names.length));
  const children = names.map((name, i) =>
    spawn(process.execPath, ['--import', 'tsx', WORKER, path, name, String(count), mode, offset(i)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const readies: Promise<void>[] = [];
  const results = children.map(
    (child, i) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        let out = '';
        let err = '';
        let markReady = () => {};
        readies.push(
          new Promise<void>((r) => {
            markReady = r;
          }),
        );
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.startsWith('ready\n')) markReady();
        });
        child.stderr.on('data', (chunk) => {
          err += chunk;
        });
        child.on('error', reject);
        child.on('close', (code) => {
          markReady();
          if (code !== 0) reject(new Error(`worker ${names[i]} exited ${code}: ${err}`));
          else resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
        });
      }),
  );
  await Promise.all(readies);
  for (const child of children) child.stdin.end('go\n');
  return Promise.all(results);
}

describe('SQLite: the file', () => {
  it('creates the parent directory, the file, and sets WAL and the pragmas', async () => {
    const path = dbFile();
    expect(existsSync(path)).toBe(false);
    mkdirSync(dirname(path));
    const database = new Database(path);
    const store = new SqliteStore(database);
    open.push(store);
    await store.migrate();
    expect(existsSync(path)).toBe(true);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('openSqliteStore creates missing directories; WAL persists in the file', async () => {
    const path = dbFile();
    const store = await fresh(path);
    expect(existsSync(path)).toBe(true);
    expect(store.path).toBe(path);
    expect(store.dialect).toBe('sqlite');
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('creates the tables and indexes of the schema', async () => {
    const path = dbFile();
    await fresh(path);
    expect(tableNames(path)).toEqual([
      'audit_log',
      'jobs',
      'kysely_migration',
      'kysely_migration_lock',
      'outbound_webhooks',
      'session_data',
      'session_timeline',
      'sessions',
      'settings',
      'webhook_inbox',
    ]);
    const raw = new Database(path, { readonly: true });
    const indexes = (
      raw
        .prepare(
          "select name from sqlite_master where type = 'index' and name not like 'sqlite_%' order by name",
        )
        .all() as { name: string }[]
    ).map((row) => row.name);
    expect(indexes).toEqual([
      'outbound_webhooks_session_id',
      'outbound_webhooks_status_next_attempt_at',
      'sessions_created_at_id',
      'sessions_customer_user_hash',
      'sessions_retention',
      'sessions_status_created_at_id',
      'sessions_status_expires_at',
      'sessions_status_lease_until',
      'sessions_status_updated_at',
      'sessions_status_wake_at',
      'sessions_wait_customer_user_id_status',
      'sessions_wait_reference_id_status',
      'sessions_wait_token_status',
      'webhook_inbox_consumed_by',
      'webhook_inbox_correlate_by',
      'webhook_inbox_customer_user_id',
      'webhook_inbox_received_at',
      'webhook_inbox_reference_id',
      'webhook_inbox_token_event_type',
    ]);
    const sqlOf = (name: string) =>
      (raw.prepare('select sql from sqlite_master where name = ?').get(name) as { sql: string }).sql;
    expect(sqlOf('webhook_inbox_token_event_type')).toMatch(/create unique index/i);
    expect(sqlOf('webhook_inbox')).toMatch(/seq integer primary key autoincrement/i);
    expect(sqlOf('webhook_inbox')).toMatch(/delivery_id text not null unique/i);
    raw.close();
  });

  it(':memory: works', async () => {
    const store = await openSqliteStore(':memory:');
    open.push(store);
    expect(store.path).toBe(':memory:');
    await store.createSession(newSession('m1'), 1, FREE);
    expect((await store.getSession('m1'))?.id).toBe('m1');
    expect(await store.ready()).toMatchObject({ ok: true });
  });

  it('two :memory: stores are two databases, each with its own change feed', async () => {
    const a = await openSqliteStore(':memory:');
    const b = await openSqliteStore(':memory:');
    open.push(a, b);
    await a.createSession(newSession('m1'), 1, FREE);
    expect(await b.getSession('m1')).toBeUndefined();
    expect(a.changes).not.toBe(b.changes);
  });

  it('a database of the 0002 release migrates to the latest with its data, timeline order and inbox order kept', async () => {
    const path = dbFile();
    const db = await releaseAt0002(path);
    await seedReleaseAt0002(db);
    // The clock went back between two deliveries: that release listed by received_at first, then arrival.
    for (const [id, receivedAt] of [
      ['skew-late', 900],
      ['skew-early', 800],
    ] as const) {
      await sql`insert into webhook_inbox (delivery_id, event_type, docv_transaction_token, reference_id,
        customer_user_id, payload, authenticated, received_at, consumed_by)
        values (${id}, ${id}, 'skew', null, null, '{}', 0, ${receivedAt}, null)`.execute(db);
    }
    await db.destroy();
    expect(tableNames(path)).toContain('timeline');

    const store = await fresh(path);
    await expectReleaseAt0002DataKept(store);
    expect(
      (await store.findDeliveries({ docvTransactionToken: 'skew' }, ['skew-late', 'skew-early'])).map(
        (d) => d.deliveryId,
      ),
    ).toEqual(['skew-early', 'skew-late']);
    expect(tableNames(path)).not.toContain('timeline');
    expect(tableNames(path)).not.toContain('webhook_inbox_v3');
  });

  it('a migration that fails part way leaves the database as it was (one transaction)', async () => {
    const path = dbFile();
    const db = await releaseAt0002(path);
    await seedReleaseAt0002(db);
    // 0003 creates session_timeline after altering sessions: make that step fail.
    await sql`create table session_timeline (x integer)`.execute(db);
    await db.destroy();

    await expect(openSqliteStore(path)).rejects.toThrow(/SQLite migration failed/);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare('select name from kysely_migration order by name').all()).toEqual([
        { name: '0001_initial' },
        { name: OLD_MIGRATION },
      ]);
      const columns = (raw.prepare('pragma table_info(sessions)').all() as { name: string }[]).map(
        (c) => c.name,
      );
      expect(columns).not.toContain('lease_owner');
      expect(raw.prepare('select count(*) as n from timeline').get()).toEqual({ n: 14 });
      expect(raw.prepare('select count(*) as n from webhook_inbox').get()).toEqual({ n: 4 });
    } finally {
      raw.close();
    }
  });

  it('several processes migrating a fresh file at once all succeed', async () => {
    const path = dbFile();
    const results = await runWorkers(path, ['m1', 'm2', 'm3'], 0, 'migrate');
    for (const result of results) expect(result.ready).toMatchObject({ ok: true });
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select name from kysely_migration order by name').all()).toEqual(
      MIGRATION_NAMES.map((name) => ({ name })),
    );
    raw.close();
  }, 60_000);

  it('several processes racing on one file: every commit, lease, delivery and claim is won exactly once', async () => {
    const path = dbFile();
    const count = 60;
    const ids = (prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).sort();
    const setup = await openSqliteStore(path);
    await setup.createSession(newSession('tl'), 1, FREE);
    await setup.createSession(newSession('host'), 1, FREE);
    for (let i = 0; i < count; i++) {
      await setup.createSession(newSession(`s${i}`), 1, FREE);
      await setup.createSession(newSession(`l${i}`), 1, FREE);
      await setup.createSession(newSession(`w${i}`), 1, FREE);
      await setup.commitStep(step(`w${i}`, 1, 1, { patch: { status: 'waiting', wakeAt: 0 } }));
      await setup.commitStep(step('host', i + 1, 1, { outbound: outbound(`o${i}`, 'host') }));
    }
    await setup.close();

    const names = ['p1', 'p2', 'p3'];
    const results = (await runWorkers(path, names, count, 'race')) as {
      name: string;
      committed: string[];
      leased: string[];
      inserted: string[];
      claimedOutbound: string[];
      claimedDue: string[];
      correlated: string[];
      setting: string;
      began: number;
      ended: number;
    }[];

    // The processes really ran at the same time (SQLite's lock is not fair, so one may win most items).
    expect(Math.max(...results.map((r) => r.began))).toBeLessThan(Math.min(...results.map((r) => r.ended)));
    const won = (
      key: 'committed' | 'leased' | 'inserted' | 'claimedOutbound' | 'claimedDue' | 'correlated',
    ) => results.flatMap((r) => r[key]).sort();
    expect(won('committed')).toEqual(ids('s'));
    expect(won('leased')).toEqual(ids('l'));
    expect(won('inserted')).toEqual(ids('d'));
    expect(won('claimedOutbound')).toEqual(ids('o'));
    expect(new Set(results.map((r) => r.setting)).size).toBe(1);

    const store = await fresh(path);
    // Claims that were not made during the race are made now: together, each item exactly once.
    const due = won('claimedDue');
    expect(new Set(due).size).toBe(due.length);
    const restDue = await store.claimDueSessions(
      Date.now(),
      { owner: 'parent', until: Date.now() + 60_000 },
      count,
    );
    expect([...due, ...restDue.map((s) => s.id)].sort()).toEqual(ids('w'));
    const correlated = won('correlated');
    expect(new Set(correlated).size).toBe(correlated.length);
    const restCorrelated = await store.claimUncorrelatedDeliveries(Date.now(), Date.now() + 60_000, count);
    expect([...correlated, ...restCorrelated.map((d) => d.deliveryId)].sort()).toEqual(ids('d'));

    const winnerOf = (key: 'committed' | 'leased' | 'claimedDue', id: string) =>
      results.find((r) => r[key].includes(id))?.name;
    for (let i = 0; i < count; i++) {
      const winner = winnerOf('committed', `s${i}`);
      expect(await store.getSession(`s${i}`)).toMatchObject({
        version: 2,
        nodeId: winner,
        leaseOwner: winner,
      });
      expect((await store.getSessionData(`s${i}`))?.outputs).toEqual({ race: winner });
      expect((await store.listTimeline(`s${i}`)).map((e) => e.detail)).toEqual([{ name: winner }]);
      expect(await store.getSession(`l${i}`)).toMatchObject({
        version: 1,
        leaseOwner: winnerOf('leased', `l${i}`),
      });
      expect(await store.getSession(`w${i}`)).toMatchObject({
        leaseOwner: winnerOf('claimedDue', `w${i}`) ?? 'parent',
      });
    }
    const timeline = await store.listTimeline('tl');
    expect(timeline.map((e) => e.seq)).toEqual(Array.from({ length: count * names.length }, (_, i) => i + 1));
    expect(new Set(timeline.map((e) => `${e.detail.name}:${e.detail.i}`)).size).toBe(count * names.length);
    const webhooks = await store.listOutbound('host');
    expect(webhooks).toHaveLength(count);
    for (const webhook of webhooks) expect(webhook.attempts).toBe(1);
    expect(
      await store
        .findDeliveries({ docvTransactionToken: 'tok0' }, ['VERIFICATION_COMPLETED'])
        .then((d) => d.length),
    ).toBe(1);
    expect(await store.getOrCreateSetting('secret', () => 'late')).toBe(results[0]!.setting);
  }, 60_000);
});

describe('parseDatabaseUrl / openStore (SQLite)', () => {
  it('parses sqlite:, file:, bare paths, :memory:, and postgres:// / postgresql://', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/x.db')).toEqual({ kind: 'sqlite', path: '/var/lib/x.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('file:./x.db')).toEqual({ kind: 'sqlite', path: './x.db' });
    expect(parseDatabaseUrl('file:///tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(parseDatabaseUrl('./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDatabaseUrl(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl(' sqlite:./x.db ')).toEqual({ kind: 'sqlite', path: './x.db' });
    expect(parseDatabaseUrl('postgres://u:p@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(parseDatabaseUrl('postgresql://u:p@h/db')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@h/db',
    });
    expect(parseDatabaseUrl('PostgreSQL://u:p@h/db')).toMatchObject({ kind: 'postgres' });
    expect(() => parseDatabaseUrl('')).toThrow(/empty/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/has no path/);
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(/unsupported database URL scheme "mysql:"/);
  });

  it('opens a migrated SQLite store for each form', async () => {
    const paths = [
      join(dir, 'u', 'a.db'),
      join(dir, 'u', 'b.db'),
      join(dir, 'u', 'c.db'),
      join(dir, 'u', 'd.db'),
    ];
    const urls = [
      `sqlite:${paths[0]}`,
      `file:${paths[1]}`,
      pathToFileURL(paths[2]!).href,
      paths[3]!,
      ':memory:',
    ];
    for (const url of urls) {
      const store = await openStore(url);
      open.push(store);
      expect(store.dialect).toBe('sqlite');
      expect(await store.ready()).toMatchObject({ ok: true });
    }
    for (const path of paths) expect(existsSync(path)).toBe(true);
  });
});
