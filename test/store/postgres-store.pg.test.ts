import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeyRing } from '../../src/crypto/key-ring.js';
import {
  MIGRATION_NAMES,
  migrationProviderFor,
  openPostgresStore,
  openStore,
  PostgresStore,
  poolConfigFromUrl,
  type SessionChange,
  type Store,
} from '../../src/store/index.js';
import { TEST_DATA_ENCRYPTION_KEYS } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type TestDatabase, testDatabaseUrl } from '../support/postgres.js';
import {
  type ContractDatabase,
  describeStoreContract,
  expectReleaseAt0002DataKept,
  FREE,
  newSession,
  OLD_MIGRATION,
  seedReleaseAt0002,
  step,
} from './contract.js';

const keyRing = parseKeyRing(TEST_DATA_ENCRYPTION_KEYS);

async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh PostgreSQL database per test; every store of the test is another pool (another instance) on it. */
async function postgresDatabase(): Promise<ContractDatabase> {
  const database = await testDatabaseUrl('store');
  const stores: Store[] = [];
  const track = <S extends Store>(store: S): S => {
    stores.push(store);
    return store;
  };
  return {
    open: async () => track(await openPostgresStore(database.url, { poolSize: 4, keyRing })),
    openUnmigrated: async () => track(new PostgresStore(poolConfigFromUrl(database.url, 4), { keyRing })),
    query: (statement) => query(database.url, statement),
    cleanup: async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await database.drop();
    },
  };
}

describeStoreContract('PostgreSQL', postgresDatabase);

describe('poolConfigFromUrl', () => {
  const base = 'postgres://user:hunter2@db.example:5432/app';

  it('sslmode: absent or disable is no TLS; allow, prefer, require are TLS unverified; verify-ca, verify-full verified', () => {
    expect(poolConfigFromUrl(base).ssl).toBeUndefined();
    expect(poolConfigFromUrl(`${base}?sslmode=disable`).ssl).toBeUndefined();
    for (const mode of ['allow', 'prefer', 'require']) {
      expect(poolConfigFromUrl(`${base}?sslmode=${mode}`).ssl).toEqual({ rejectUnauthorized: false });
    }
    for (const mode of ['verify-ca', 'verify-full']) {
      expect(poolConfigFromUrl(`${base}?sslmode=${mode}`).ssl).toEqual({ rejectUnauthorized: true });
    }
  });

  it('takes sslmode out of the connection string (pg would override the TLS options) and keeps the rest', () => {
    const config = poolConfigFromUrl(`${base}?application_name=socure&sslmode=verify-full&connect_timeout=5`);
    const url = new URL(config.connectionString!);
    expect(url.searchParams.has('sslmode')).toBe(false);
    expect(url.searchParams.get('application_name')).toBe('socure');
    expect(url.searchParams.get('connect_timeout')).toBe('5');
    expect(`${url.protocol}//${url.username}:${url.password}@${url.host}${url.pathname}`).toBe(base);
  });

  it('an unknown sslmode is a clear error', () => {
    expect(() => poolConfigFromUrl(`${base}?sslmode=bogus`)).toThrow(
      'DATABASE_URL sslmode "bogus" is not one of disable, allow, prefer, require, verify-ca, verify-full',
    );
    expect(() => poolConfigFromUrl(`${base}?sslmode=`)).toThrow(/sslmode "" is not one of/);
  });

  it('pool size: 10 by default, or the size given', () => {
    expect(poolConfigFromUrl(base).max).toBe(10);
    expect(poolConfigFromUrl(base, 3).max).toBe(3);
  });

  it('accepts postgresql://; refuses another scheme and a non-URL without echoing the password', () => {
    expect(poolConfigFromUrl('postgresql://user:hunter2@db.example/app?sslmode=require')).toMatchObject({
      connectionString: 'postgresql://user:hunter2@db.example/app',
      ssl: { rejectUnauthorized: false },
      max: 10,
    });
    expect(poolConfigFromUrl('POSTGRES://user@db.example/app').ssl).toBeUndefined();
    for (const url of [
      'mysql://user:hunter2@db.example/app',
      'user:hunter2@db',
      'postgres://user:hunter2@[oops/app',
    ]) {
      let error: Error | undefined;
      try {
        poolConfigFromUrl(url);
      } catch (err) {
        error = err as Error;
      }
      expect(error, url).toBeInstanceOf(Error);
      expect(error!.message).toMatch(/DATABASE_URL/);
      expect(error!.message).not.toContain('hunter2');
    }
  });
});

describe('PostgreSQL store', () => {
  let database: TestDatabase | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await database?.drop();
    database = undefined;
  });
  const track = <S extends Store>(store: S): S => {
    stores.push(store);
    return store;
  };

  /** A fresh database migrated to 0002 (the release before many instances), through kysely's Migrator. */
  async function releaseAt0002(): Promise<{ url: string; db: Kysely<unknown> }> {
    database = await testDatabaseUrl('store_old');
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
    });
    const result = await new Migrator({ db, provider: migrationProviderFor('postgres') }).migrateTo(
      OLD_MIGRATION,
    );
    expect(result.error).toBeUndefined();
    expect(result.results?.map((r) => r.migrationName)).toEqual(['0001_initial', OLD_MIGRATION]);
    return { url: database.url, db };
  }

  it('sslmode takes effect: require fails against a server without TLS, disable connects', async () => {
    database = await testDatabaseUrl('store_ssl');
    await expect(openPostgresStore(`${database.url}?sslmode=require`, { keyRing })).rejects.toThrow(/SSL/i);
    const store = track(await openPostgresStore(`${database.url}?sslmode=disable`, { keyRing }));
    expect(await store.ready()).toMatchObject({ ok: true });
  });

  it('openStore opens PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    database = await testDatabaseUrl('store_url');
    for (const url of [database.url, database.url.replace(/^postgres:/, 'postgresql:')]) {
      const store = track(await openStore(url, { poolSize: 2, keyRing }));
      expect(store).toBeInstanceOf(PostgresStore);
      expect(store.dialect).toBe('postgres');
      expect(await store.ready()).toEqual({
        ok: true,
        detail: `postgres: ${MIGRATION_NAMES.length} migration(s) applied`,
      });
    }
  });

  it('a database of the 0002 release migrates to the latest with its data, timeline order and inbox order kept', async () => {
    const { url, db } = await releaseAt0002();
    await seedReleaseAt0002(db);
    await db.destroy();
    const store = track(await openPostgresStore(url, { keyRing }));
    await expectReleaseAt0002DataKept(store);
    const tables = await query<{ tablename: string }>(
      url,
      "select tablename from pg_tables where schemaname = 'public' order by tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual([
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
  });

  it('a migration that fails part way leaves the database as it was (one transaction)', async () => {
    const { url, db } = await releaseAt0002();
    await seedReleaseAt0002(db);
    // 0003 creates session_timeline after altering sessions: make that step fail.
    await sql`create table session_timeline (x integer)`.execute(db);
    await db.destroy();

    await expect(openPostgresStore(url, { keyRing })).rejects.toThrow(/PostgreSQL migration failed/);
    const applied = await query<{ name: string }>(url, 'select name from kysely_migration order by name');
    expect(applied.map((r) => r.name)).toEqual(['0001_initial', OLD_MIGRATION]);
    const columns = await query<{ column_name: string }>(
      url,
      "select column_name from information_schema.columns where table_name = 'sessions'",
    );
    expect(columns.map((c) => c.column_name)).not.toContain('lease_owner');
    expect(await query(url, 'select count(*)::int as n from timeline')).toEqual([{ n: 14 }]);
  });

  it('the LISTEN connection comes back after the server ends it, and later commits are seen', async () => {
    database = await testDatabaseUrl('store_listen');
    const url = database.url;
    const dropped: Error[] = [];
    const a = track(
      await openPostgresStore(url, { poolSize: 2, keyRing, onListenError: (err) => dropped.push(err) }),
    );
    const b = track(await openPostgresStore(url, { poolSize: 2, keyRing }));
    const seen: SessionChange[] = [];
    a.changes.subscribe('s1', (change) => seen.push(change));
    await b.createSession(newSession('s1'), 1, FREE);
    await b.commitStep(step('s1', 1, 2));
    await eventually(() => seen.length >= 2, 'the changes before the drop');

    const listeners = () =>
      query<{ pid: number }>(
        url,
        "select pid from pg_stat_activity where datname = current_database() and query like 'LISTEN%'",
      );
    const before = (await listeners()).map((r) => r.pid);
    expect(before).toHaveLength(2); // a's and b's
    const ended = await query<{ ended: boolean }>(
      url,
      "select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and query like 'LISTEN%'",
    );
    expect(ended).toEqual([{ ended: true }, { ended: true }]);
    await eventually(() => dropped.length >= 1, 'store A to notice its LISTEN connection ended');
    // Both come back on new connections.
    await eventually(
      async () => {
        const now = (await listeners()).map((r) => r.pid);
        return now.length === 2 && now.every((pid) => !before.includes(pid));
      },
      'two new LISTEN connections',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // A commit by B from now on reaches A's subscriber.
    const row = await b.commitStep(step('s1', 2, 3, { patch: { status: 'waiting' } }));
    expect(row?.version).toBe(3);
    await eventually(() => seen.some((c) => c.version === 3), 'the change after the reconnect');
    expect(seen).toEqual([
      { id: 's1', version: 1, status: 'running' },
      { id: 's1', version: 2, status: 'running' },
      { id: 's1', version: 3, status: 'waiting' },
    ]);
  });

  it('when the database refuses a reconnect for a while, ONE LISTEN connection comes back, and close() ends it', async () => {
    database = await testDatabaseUrl('store_relisten');
    const url = database.url;
    const name = new URL(url).pathname.slice(1);
    const server = new URL(url);
    server.pathname = '/postgres';
    const admin = server.toString();
    const dropped: Error[] = [];
    const a = track(
      await openPostgresStore(url, { poolSize: 2, keyRing, onListenError: (err) => dropped.push(err) }),
    );
    // The writer does not listen: every LISTEN connection on this database is A's.
    const b = track(new PostgresStore(poolConfigFromUrl(url, 2), { keyRing }));
    const seen: SessionChange[] = [];
    a.changes.subscribe('s1', (change) => seen.push(change));
    await b.createSession(newSession('s1'), 1, FREE);
    await eventually(() => seen.length >= 1, 'the creation of s1');
    const listeners = async () =>
      (
        await query<{ n: number }>(
          admin,
          "select count(*)::int as n from pg_stat_activity where datname = $1 and query like 'LISTEN%'",
          [name],
        )
      )[0]!.n;
    expect(await listeners()).toBe(1);

    await query(admin, `alter database "${name}" allow_connections false`);
    try {
      await query(
        admin,
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like 'LISTEN%'",
        [name],
      );
      await eventually(
        () => dropped.some((err) => /not currently accepting connections/.test(err.message)),
        'a reconnect refused by the database',
      );
    } finally {
      await query(admin, `alter database "${name}" allow_connections true`);
    }
    await eventually(async () => (await listeners()) >= 1, 'the LISTEN connection to come back', {
      timeoutMs: 10_000,
    });
    // One refusal leaves at most one reconnect pending, due within 500 ms (250 ms doubled): let the reconnect
    // machinery settle before counting (this wait is for work scheduled by the store itself, not for the database).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await listeners()).toBe(1);
    await b.commitStep(step('s1', 1, 2));
    await eventually(() => seen.some((change) => change.version === 2), 'the change after the reconnect');
    await b.commitStep(step('s1', 2, 3));
    await eventually(() => seen.some((change) => change.version === 3), 'the next change');
    // Each change once.
    expect(seen.map((change) => change.version)).toEqual([1, 2, 3]);
    await a.close();
    await eventually(
      async () => (await listeners()) === 0,
      'no LISTEN connection left once the store is closed',
      {
        timeoutMs: 3_000,
      },
    );
  });
});
