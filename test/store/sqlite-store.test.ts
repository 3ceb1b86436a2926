import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, SqliteDialect } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type InboxDelivery,
  migrationProvider,
  migrations,
  type NewSession,
  openSqliteStore,
  openStore,
  parseDatabaseUrl,
  type SessionRow,
  SqliteStore,
  type Store,
} from '../../src/store/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/race-worker.ts', import.meta.url));

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

function newSession(id: string, extra: Partial<NewSession> = {}): NewSession {
  return {
    id,
    flowId: 'docv-qr',
    nodeId: 'start',
    customerUserId: null,
    returnUrl: null,
    expiresAt: 10_000,
    input: { firstName: 'Ada', nested: { list: [1, 'two', null, true] } },
    ...extra,
  };
}

function delivery(deliveryId: string, extra: Partial<Omit<InboxDelivery, 'consumedBy'>> = {}) {
  return {
    deliveryId,
    eventType: 'VERIFICATION_COMPLETED',
    docvTransactionToken: null,
    referenceId: null,
    customerUserId: null,
    payload: `{"id":"${deliveryId}"}`,
    authenticated: true,
    receivedAt: 1_000,
    ...extra,
  };
}

/** A session parked on a challenge. */
async function waiting(store: Store, id: string, patch: Partial<SessionRow> = {}): Promise<SessionRow> {
  await store.createSession(newSession(id), 100);
  const row = await store.updateSession(
    id,
    1,
    {
      status: 'waiting',
      nodeId: 'wait',
      wakeAt: patch.wakeAt ?? null,
      waitToken: patch.waitToken ?? null,
      waitReferenceId: patch.waitReferenceId ?? null,
      waitCustomerUserId: patch.waitCustomerUserId ?? null,
      waitEvents: ['VERIFICATION_COMPLETED'],
      challengeId: `ch-${id}`,
    },
    patch.updatedAt ?? 200,
  );
  if (!row) throw new Error('setup failed');
  return row;
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

describe('opening and migrating', () => {
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
    expect(database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('openSqliteStore creates missing directories; WAL persists in the file', async () => {
    const path = dbFile();
    const store = await fresh(path);
    expect(existsSync(path)).toBe(true);
    expect(store.path).toBe(path);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('creates the tables and indexes of the schema', async () => {
    const path = dbFile();
    await fresh(path);
    const raw = new Database(path, { readonly: true });
    const names = (type: string) =>
      (
        raw
          .prepare('select name from sqlite_master where type = ? and name not like ? order by name')
          .all(type, 'sqlite_%') as { name: string }[]
      ).map((row) => row.name);
    expect(names('table')).toEqual([
      'kysely_migration',
      'kysely_migration_lock',
      'outbound_webhooks',
      'session_data',
      'sessions',
      'settings',
      'timeline',
      'webhook_inbox',
    ]);
    expect(names('index')).toEqual([
      'outbound_webhooks_session_id',
      'outbound_webhooks_status_next_attempt_at',
      'sessions_status_expires_at',
      'sessions_status_updated_at',
      'sessions_status_wake_at',
      'sessions_wait_customer_user_id',
      'sessions_wait_reference_id',
      'sessions_wait_token',
      'webhook_inbox_customer_user_id',
      'webhook_inbox_reference_id',
      'webhook_inbox_token_event_type',
    ]);
    const unique = raw
      .prepare("select sql from sqlite_master where name = 'webhook_inbox_token_event_type'")
      .get() as {
      sql: string;
    };
    expect(unique.sql).toMatch(/create unique index/i);
    raw.close();
  });

  it('migrating twice is a no-op and keeps data', async () => {
    const path = dbFile();
    const store = await fresh(path);
    await store.createSession(newSession('s1'), 1);
    await store.migrate();
    await store.migrate();
    expect(await store.getSession('s1')).toBeDefined();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select name from kysely_migration').all()).toEqual(
      Object.keys(migrations).map((name) => ({ name })),
    );
    raw.close();
  });

  it('reopening the file keeps the data', async () => {
    const path = dbFile();
    const first = await openSqliteStore(path);
    await first.createSession(newSession('s1', { customerUserId: 'cu-1' }), 5);
    await first.appendTimeline('s1', 'created', { node: 'start' }, 5);
    await first.getOrCreateSetting('signing-secret', () => 'abc');
    await first.close();
    const second = await fresh(path);
    expect((await second.getSession('s1'))?.customerUserId).toBe('cu-1');
    expect((await second.getSessionData('s1'))?.input).toEqual(newSession('s1').input);
    expect(await second.listTimeline('s1')).toHaveLength(1);
    expect(await second.getOrCreateSetting('signing-secret', () => 'other')).toBe('abc');
  });

  it(':memory: works', async () => {
    const store = await openSqliteStore(':memory:');
    open.push(store);
    expect(store.path).toBe(':memory:');
    await store.createSession(newSession('m1'), 1);
    expect((await store.getSession('m1'))?.id).toBe('m1');
    expect(await store.ready()).toMatchObject({ ok: true });
  });

  it('ready() is ok when migrated, reports pending migrations, and fails once closed', async () => {
    const path = dbFile();
    const store = await fresh(path);
    expect(await store.ready()).toEqual({
      ok: true,
      detail: `sqlite: ${Object.keys(migrations).length} migration(s) applied`,
    });
    const raw = new Database(path);
    raw.prepare('delete from kysely_migration').run();
    raw.close();
    expect(await store.ready()).toEqual({
      ok: false,
      detail: `pending migrations: ${Object.keys(migrations).join(', ')}`,
    });
    await store.close();
    expect((await store.ready()).ok).toBe(false);
  });

  it('the migration goes down and up again (portable schema builder, static provider)', async () => {
    const path = dbFile();
    await (await openSqliteStore(path)).close();
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).not.toContain('sessions');
    expect(tables).not.toContain('webhook_inbox');
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations));
    await db.destroy();
    const store = await fresh(path);
    expect((await store.ready()).ok).toBe(true);
  });

  it('several processes migrating a fresh file at once all succeed', async () => {
    const path = dbFile();
    const results = await runWorkers(path, ['m1', 'm2', 'm3'], 0, 'migrate');
    for (const result of results) expect(result.ready).toMatchObject({ ok: true });
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select name from kysely_migration').all()).toEqual(
      Object.keys(migrations).map((name) => ({ name })),
    );
    raw.close();
  }, 60_000);
});

describe('sessions', () => {
  it('createSession / getSession / getSessionData map every field exactly', async () => {
    const store = await fresh();
    const created = await store.createSession(
      newSession('s1', { customerUserId: 'cu-1', returnUrl: 'https://app.example/done' }),
      1234,
    );
    const expected: SessionRow = {
      id: 's1',
      flowId: 'docv-qr',
      status: 'running',
      nodeId: 'start',
      version: 1,
      customerUserId: 'cu-1',
      returnUrl: 'https://app.example/done',
      wakeAt: null,
      waitToken: null,
      waitReferenceId: null,
      waitCustomerUserId: null,
      waitEvents: null,
      challengeId: null,
      outcome: null,
      createdAt: 1234,
      updatedAt: 1234,
      expiresAt: 10_000,
    };
    expect(created).toStrictEqual(expected);
    expect(await store.getSession('s1')).toStrictEqual(expected);
    expect(await store.getSessionData('s1')).toStrictEqual({
      input: { firstName: 'Ada', nested: { list: [1, 'two', null, true] } },
      outputs: {},
      result: null,
    });
    expect(await store.getSession('nope')).toBeUndefined();
    expect(await store.getSessionData('nope')).toBeUndefined();
  });

  it('createSession rejects a duplicate id and writes nothing', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    await expect(store.createSession(newSession('s1', { flowId: 'other' }), 2)).rejects.toThrow();
    expect((await store.getSession('s1'))?.flowId).toBe('docv-qr');
  });

  it('updateSession applies the patch, bumps the version, leaves the rest alone', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1', { customerUserId: 'cu-1' }), 1);
    const row = await store.updateSession(
      's1',
      1,
      {
        status: 'waiting',
        nodeId: 'wait-docv',
        wakeAt: 9_000,
        waitToken: 'tok',
        waitReferenceId: 'ref',
        waitCustomerUserId: 'cu-1',
        waitEvents: ['VERIFICATION_COMPLETED', 'SESSION_EXPIRED'],
        challengeId: 'ch-1',
      },
      50,
    );
    expect(row).toStrictEqual({
      ...(await store.createSession(newSession('tmp'), 0)),
      id: 's1',
      customerUserId: 'cu-1',
      status: 'waiting',
      nodeId: 'wait-docv',
      version: 2,
      wakeAt: 9_000,
      waitToken: 'tok',
      waitReferenceId: 'ref',
      waitCustomerUserId: 'cu-1',
      waitEvents: ['VERIFICATION_COMPLETED', 'SESSION_EXPIRED'],
      challengeId: 'ch-1',
      createdAt: 1,
      updatedAt: 50,
    });
    expect(await store.getSession('s1')).toStrictEqual(row);

    // Clearing to null, an outcome, and an empty patch (still bumps the version).
    const done = await store.updateSession(
      's1',
      2,
      {
        status: 'completed',
        wakeAt: null,
        waitToken: null,
        waitReferenceId: null,
        waitCustomerUserId: null,
        waitEvents: null,
        challengeId: null,
        outcome: 'verified',
      },
      60,
    );
    expect(done).toMatchObject({
      status: 'completed',
      nodeId: 'wait-docv',
      version: 3,
      wakeAt: null,
      waitToken: null,
      waitEvents: null,
      challengeId: null,
      outcome: 'verified',
      updatedAt: 60,
    });
    const bumped = await store.updateSession('s1', 3, {}, 70);
    expect(bumped).toMatchObject({ version: 4, status: 'completed', outcome: 'verified', updatedAt: 70 });
  });

  it('updateSession merges outputs by node id and replaces the result', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    await store.updateSession('s1', 1, { nodeId: 'b' }, 2, {
      output: { nodeId: 'a', value: { score: 0.9 } },
    });
    await store.updateSession('s1', 2, { nodeId: 'c' }, 3, { output: { nodeId: 'b', value: [1, 2] } });
    await store.updateSession('s1', 3, {}, 4, {
      output: { nodeId: 'a', value: { score: 0.1 } },
      result: { decision: 'accept' },
    });
    await store.updateSession('s1', 4, {}, 5, { result: { decision: 'reject', reasons: ['R1'] } });
    await store.updateSession('s1', 5, {}, 6, { output: { nodeId: 'none', value: undefined } });
    expect(await store.getSessionData('s1')).toStrictEqual({
      input: newSession('s1').input,
      outputs: { a: { score: 0.1 }, b: [1, 2], none: null },
      result: { decision: 'reject', reasons: ['R1'] },
    });
  });

  it('updateSession with a stale version or unknown id changes nothing and returns undefined', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    expect(await store.updateSession('s1', 1, { nodeId: 'n2' }, 2)).toMatchObject({ version: 2 });
    expect(
      await store.updateSession('s1', 1, { nodeId: 'stale', status: 'completed' }, 3, {
        output: { nodeId: 'x', value: 1 },
        result: { stale: true },
      }),
    ).toBeUndefined();
    expect(await store.getSession('s1')).toMatchObject({
      version: 2,
      nodeId: 'n2',
      status: 'running',
      updatedAt: 2,
    });
    expect(await store.getSessionData('s1')).toMatchObject({ outputs: {}, result: null });
    expect(await store.updateSession('nope', 1, { nodeId: 'x' }, 3)).toBeUndefined();
  });

  it('concurrent updates with the same expected version: exactly one wins (one store)', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.updateSession('s1', 1, { nodeId: `n${i}` }, 2, { output: { nodeId: 'w', value: i } }),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const winner = results.findIndex((r) => r !== undefined);
    expect(await store.getSession('s1')).toMatchObject({ version: 2, nodeId: `n${winner}` });
    expect((await store.getSessionData('s1'))?.outputs).toEqual({ w: winner });
  });

  it('concurrent updates from two store instances on one file: exactly one wins', async () => {
    const path = dbFile();
    const a = await fresh(path);
    const b = await fresh(path);
    for (let i = 0; i < 20; i++) await a.createSession(newSession(`s${i}`), 1);
    for (let i = 0; i < 20; i++) {
      const [ra, rb] = await Promise.all([
        a.updateSession(`s${i}`, 1, { nodeId: 'a' }, 2, { output: { nodeId: 'w', value: 'a' } }),
        b.updateSession(`s${i}`, 1, { nodeId: 'b' }, 2, { output: { nodeId: 'w', value: 'b' } }),
      ]);
      expect([ra, rb].filter((r) => r !== undefined)).toHaveLength(1);
      const won = ra ? 'a' : 'b';
      expect(await b.getSession(`s${i}`)).toMatchObject({ version: 2, nodeId: won });
      expect((await a.getSessionData(`s${i}`))?.outputs).toEqual({ w: won });
    }
    // Interleaved by hand: both read version 1, A writes, B's write is refused.
    await a.createSession(newSession('x'), 1);
    const seenByA = await a.getSession('x');
    const seenByB = await b.getSession('x');
    expect(await a.updateSession('x', seenByA!.version, { nodeId: 'a' }, 2)).toMatchObject({ version: 2 });
    expect(await b.updateSession('x', seenByB!.version, { nodeId: 'b' }, 2)).toBeUndefined();
    expect(await b.getSession('x')).toMatchObject({ version: 2, nodeId: 'a' });
  });

  it('two processes: updates, deliveries, outbound claims, timeline and settings happen exactly once', async () => {
    const path = dbFile();
    const count = 100;
    const setup = await openSqliteStore(path);
    for (let i = 0; i < count; i++) {
      await setup.createSession(newSession(`s${i}`), 1);
      await setup.enqueueOutbound({
        id: `o${i}`,
        sessionId: `s${i}`,
        url: 'https://app.example/cb',
        body: '{}',
        nextAttemptAt: 0,
      });
    }
    await setup.close();

    const names = ['p1', 'p2', 'p3'];
    const results = (await runWorkers(path, names, count, 'race')) as {
      name: string;
      updated: string[];
      inserted: string[];
      claimed: string[];
      setting: string;
      began: number;
      ended: number;
    }[];

    // The processes really ran at the same time (SQLite's lock is not fair, so one may win most items).
    expect(Math.max(...results.map((r) => r.began))).toBeLessThan(Math.min(...results.map((r) => r.ended)));
    const updated = results.flatMap((r) => r.updated).sort();
    expect(updated).toEqual(Array.from({ length: count }, (_, i) => `s${i}`).sort());
    const inserted = results.flatMap((r) => r.inserted).sort();
    expect(inserted).toEqual(Array.from({ length: count }, (_, i) => `d${i}`).sort());
    const claimed = results.flatMap((r) => r.claimed).sort();
    expect(claimed).toEqual(Array.from({ length: count }, (_, i) => `o${i}`).sort());
    expect(new Set(results.map((r) => r.setting)).size).toBe(1);

    const store = await fresh(path);
    for (let i = 0; i < count; i++) {
      const row = await store.getSession(`s${i}`);
      const winner = results.find((r) => r.updated.includes(`s${i}`))!.name;
      expect(row).toMatchObject({ version: 2, nodeId: winner });
      expect((await store.getSessionData(`s${i}`))?.outputs).toEqual({ race: winner });
    }
    const timeline = await store.listTimeline('s0');
    expect(timeline.map((e) => e.seq)).toEqual(Array.from({ length: count * names.length }, (_, i) => i + 1));
    for (const webhook of await store.listOutbound('s0')) expect(webhook.attempts).toBe(1);
    expect(await store.getOrCreateSetting('secret', () => 'late')).toBe(results[0]!.setting);
  }, 60_000);

  it('listDueSessions: waiting and due, oldest first, limited', async () => {
    const store = await fresh();
    await waiting(store, 'late', { wakeAt: 300 });
    await waiting(store, 'early', { wakeAt: 100 });
    await waiting(store, 'exact', { wakeAt: 500 });
    await waiting(store, 'future', { wakeAt: 501 });
    await waiting(store, 'no-timeout', { wakeAt: null });
    await store.createSession(newSession('running'), 1); // not waiting
    const completed = await waiting(store, 'completed', { wakeAt: 50 });
    await store.updateSession('completed', completed.version, { status: 'completed' }, 300);

    expect((await store.listDueSessions(500, 10)).map((s) => s.id)).toEqual(['early', 'late', 'exact']);
    expect((await store.listDueSessions(500, 2)).map((s) => s.id)).toEqual(['early', 'late']);
    expect(await store.listDueSessions(99, 10)).toEqual([]);
    expect((await store.listDueSessions(500, 1))[0]).toStrictEqual(await store.getSession('early'));
  });

  it('listStalledSessions: running and not updated since before, oldest first', async () => {
    const store = await fresh();
    await store.createSession(newSession('old'), 100);
    await store.createSession(newSession('older'), 50);
    await store.createSession(newSession('new'), 200);
    await waiting(store, 'waiting', { updatedAt: 10 });
    await store.createSession(newSession('input'), 1);
    await store.updateSession('input', 1, { status: 'input' }, 20);
    expect((await store.listStalledSessions(200, 10)).map((s) => s.id)).toEqual(['older', 'old']);
    expect((await store.listStalledSessions(201, 10)).map((s) => s.id)).toEqual(['older', 'old', 'new']);
    expect((await store.listStalledSessions(1_000, 1)).map((s) => s.id)).toEqual(['older']);
    expect(await store.listStalledSessions(50, 10)).toEqual([]);
  });

  it('findWaitingSessions: any non-null key matches its wait column; only waiting sessions', async () => {
    const store = await fresh();
    await waiting(store, 'by-token', { waitToken: 'tok-1' });
    await waiting(store, 'by-ref', { waitReferenceId: 'ref-1' });
    await waiting(store, 'by-user', { waitCustomerUserId: 'cu-1' });
    const gone = await waiting(store, 'resumed', { waitToken: 'tok-1' });
    await store.updateSession('resumed', gone.version, { status: 'running' }, 300);

    const ids = async (keys: Parameters<Store['findWaitingSessions']>[0]) =>
      (await store.findWaitingSessions(keys)).map((s) => s.id).sort();
    expect(await ids({ docvTransactionToken: 'tok-1' })).toEqual(['by-token']);
    expect(await ids({ referenceId: 'ref-1' })).toEqual(['by-ref']);
    expect(await ids({ customerUserId: 'cu-1' })).toEqual(['by-user']);
    expect(
      await ids({ docvTransactionToken: 'tok-1', referenceId: 'ref-1', customerUserId: 'cu-x' }),
    ).toEqual(['by-ref', 'by-token']);
    expect(await ids({ docvTransactionToken: 'tok-1', referenceId: null })).toEqual(['by-token']);
    expect(await ids({ docvTransactionToken: 'nope' })).toEqual([]);
    expect(await ids({})).toEqual([]);
    expect(await ids({ docvTransactionToken: null, referenceId: null, customerUserId: null })).toEqual([]);
    const [row] = await store.findWaitingSessions({ docvTransactionToken: 'tok-1' });
    expect(row).toStrictEqual(await store.getSession('by-token'));
  });
});

describe('webhook inbox', () => {
  it('insertDelivery: inserted, then duplicate by delivery id and by token + event type', async () => {
    const store = await fresh();
    expect(await store.insertDelivery(delivery('d1', { docvTransactionToken: 'tok' }))).toBe('inserted');
    // Same delivery id, different everything else.
    expect(
      await store.insertDelivery(delivery('d1', { docvTransactionToken: 'other', eventType: 'APP_OPENED' })),
    ).toBe('duplicate');
    // New delivery id, same token + event type.
    expect(await store.insertDelivery(delivery('d2', { docvTransactionToken: 'tok' }))).toBe('duplicate');
    // Same token, another event type: a new delivery.
    expect(
      await store.insertDelivery(
        delivery('d3', { docvTransactionToken: 'tok', eventType: 'SESSION_COMPLETE' }),
      ),
    ).toBe('inserted');
    // NULL tokens never collide.
    expect(await store.insertDelivery(delivery('n1', { referenceId: 'r' }))).toBe('inserted');
    expect(await store.insertDelivery(delivery('n2', { referenceId: 'r' }))).toBe('inserted');
    const all = await store.findDeliveries({ docvTransactionToken: 'tok', referenceId: 'r' }, [
      'VERIFICATION_COMPLETED',
      'SESSION_COMPLETE',
      'APP_OPENED',
    ]);
    expect(all.map((d) => d.deliveryId)).toEqual(['d1', 'd3', 'n1', 'n2']);
    expect(all[0]!.docvTransactionToken).toBe('tok');
    expect(all[0]!.eventType).toBe('VERIFICATION_COMPLETED');
  });

  it('insertDelivery: concurrent duplicates across two instances insert exactly once', async () => {
    const path = dbFile();
    const a = await fresh(path);
    const b = await fresh(path);
    const results = await Promise.all([
      a.insertDelivery(delivery('d1', { docvTransactionToken: 't' })),
      b.insertDelivery(delivery('d1', { docvTransactionToken: 't' })),
      a.insertDelivery(delivery('d2', { docvTransactionToken: 't' })),
      b.insertDelivery(delivery('d3', { docvTransactionToken: 't' })),
    ]);
    expect(results.filter((r) => r === 'inserted')).toHaveLength(1);
  });

  it('findDeliveries: keys OR-ed, event types filtered, oldest first then insertion order; maps exactly', async () => {
    const store = await fresh();
    await store.insertDelivery(delivery('late', { docvTransactionToken: 't1', receivedAt: 300 }));
    await store.insertDelivery(
      delivery('tie-b', {
        referenceId: 'r1',
        receivedAt: 200,
        eventType: 'SESSION_COMPLETE',
        authenticated: false,
      }),
    );
    await store.insertDelivery(delivery('tie-a', { customerUserId: 'c1', receivedAt: 200 }));
    await store.insertDelivery(
      delivery('other-type', { docvTransactionToken: 't1', eventType: 'APP_OPENED' }),
    );
    await store.insertDelivery(delivery('unrelated', { docvTransactionToken: 't2', receivedAt: 1 }));

    const keys = { docvTransactionToken: 't1', referenceId: 'r1', customerUserId: 'c1' };
    const found = await store.findDeliveries(keys, ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE']);
    expect(found.map((d) => d.deliveryId)).toEqual(['tie-b', 'tie-a', 'late']);
    expect(found[0]).toStrictEqual({
      deliveryId: 'tie-b',
      eventType: 'SESSION_COMPLETE',
      docvTransactionToken: null,
      referenceId: 'r1',
      customerUserId: null,
      payload: '{"id":"tie-b"}',
      authenticated: false,
      receivedAt: 200,
      consumedBy: null,
    });
    expect(found[1]!.authenticated).toBe(true);
    expect((await store.findDeliveries({ referenceId: 'r1' }, ['VERIFICATION_COMPLETED'])).length).toBe(0);
    expect(
      (await store.findDeliveries({ docvTransactionToken: 't1' }, ['APP_OPENED'])).map((d) => d.deliveryId),
    ).toEqual(['other-type']);
    expect(await store.findDeliveries({}, ['VERIFICATION_COMPLETED'])).toEqual([]);
    expect(await store.findDeliveries({ docvTransactionToken: null }, ['VERIFICATION_COMPLETED'])).toEqual(
      [],
    );
    expect(await store.findDeliveries(keys, [])).toEqual([]);
  });

  it('markDeliveryConsumed records the consuming session', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    await store.insertDelivery(delivery('d1', { docvTransactionToken: 't' }));
    await store.insertDelivery(delivery('d2', { docvTransactionToken: 't', eventType: 'SESSION_COMPLETE' }));
    await store.markDeliveryConsumed('d1', 's1');
    const found = await store.findDeliveries({ docvTransactionToken: 't' }, [
      'VERIFICATION_COMPLETED',
      'SESSION_COMPLETE',
    ]);
    expect(found.map((d) => [d.deliveryId, d.consumedBy])).toEqual([
      ['d1', 's1'],
      ['d2', null],
    ]);
  });
});

describe('timeline', () => {
  it('appendTimeline numbers events 1, 2, 3 per session; listTimeline returns them in order', async () => {
    const store = await fresh();
    await store.createSession(newSession('s1'), 1);
    await store.createSession(newSession('s2'), 1);
    await store.appendTimeline('s1', 'created', { flowId: 'docv-qr' }, 10);
    await store.appendTimeline('s2', 'created', {}, 11);
    await store.appendTimeline('s1', 'node', { nodeId: 'a', nested: { ok: true, n: null } }, 12);
    expect(await store.listTimeline('s1')).toStrictEqual([
      { sessionId: 's1', seq: 1, at: 10, type: 'created', detail: { flowId: 'docv-qr' } },
      {
        sessionId: 's1',
        seq: 2,
        at: 12,
        type: 'node',
        detail: { nodeId: 'a', nested: { ok: true, n: null } },
      },
    ]);
    expect(await store.listTimeline('s2')).toStrictEqual([
      { sessionId: 's2', seq: 1, at: 11, type: 'created', detail: {} },
    ]);
    expect(await store.listTimeline('none')).toEqual([]);
  });

  it('concurrent appends from two instances get distinct consecutive seqs', async () => {
    const path = dbFile();
    const a = await fresh(path);
    const b = await fresh(path);
    await a.createSession(newSession('s1'), 1);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).appendTimeline('s1', 'tick', { i }, i)),
    );
    const events = await a.listTimeline('s1');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.detail.i)).size).toBe(30);
  });

  it('foreign keys are enforced: no timeline for an unknown session', async () => {
    const store = await fresh();
    await expect(store.appendTimeline('ghost', 'x', {}, 1)).rejects.toThrow(/FOREIGN KEY/);
  });
});

describe('outbound webhooks', () => {
  async function withOutbound(store: Store) {
    await store.createSession(newSession('s1'), 1);
    await store.enqueueOutbound({
      id: 'o2',
      sessionId: 's1',
      url: 'https://app/cb',
      body: '{"n":2}',
      nextAttemptAt: 200,
    });
    await store.enqueueOutbound({
      id: 'o1',
      sessionId: 's1',
      url: 'https://app/cb',
      body: '{"n":1}',
      nextAttemptAt: 100,
    });
    await store.enqueueOutbound({
      id: 'o3',
      sessionId: 's1',
      url: 'https://app/cb',
      body: '{"n":3}',
      nextAttemptAt: 900,
    });
  }

  it('enqueueOutbound stores a pending webhook with no attempts', async () => {
    const store = await fresh();
    await withOutbound(store);
    expect(await store.listOutbound('s1')).toStrictEqual([
      {
        id: 'o1',
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{"n":1}',
        attempts: 0,
        nextAttemptAt: 100,
        status: 'pending',
        lastError: null,
      },
      {
        id: 'o2',
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{"n":2}',
        attempts: 0,
        nextAttemptAt: 200,
        status: 'pending',
        lastError: null,
      },
      {
        id: 'o3',
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{"n":3}',
        attempts: 0,
        nextAttemptAt: 900,
        status: 'pending',
        lastError: null,
      },
    ]);
    expect(await store.listOutbound('other')).toEqual([]);
  });

  it('claimDueOutbound leases due pending webhooks, increments attempts, respects the limit', async () => {
    const store = await fresh();
    await withOutbound(store);
    const claimed = await store.claimDueOutbound(500, 10_000, 10);
    expect(claimed).toStrictEqual([
      {
        id: 'o1',
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{"n":1}',
        attempts: 1,
        nextAttemptAt: 10_000,
        status: 'pending',
        lastError: null,
      },
      {
        id: 'o2',
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{"n":2}',
        attempts: 1,
        nextAttemptAt: 10_000,
        status: 'pending',
        lastError: null,
      },
    ]);
    // Leased: a second worker at the same time gets nothing.
    expect(await store.claimDueOutbound(500, 10_000, 10)).toEqual([]);
    // o3 becomes due; limit 1 picks the oldest due.
    expect((await store.claimDueOutbound(1_000, 20_000, 1)).map((o) => o.id)).toEqual(['o3']);
    // The lease expires: claimed again, second attempt.
    const again = await store.claimDueOutbound(10_000, 30_000, 1);
    expect(again.map((o) => [o.id, o.attempts, o.nextAttemptAt])).toEqual([['o1', 2, 30_000]]);
    expect(await store.claimDueOutbound(10_000, 30_000, 0)).toEqual([]);
  });

  it('recordOutboundAttempt: delivered and failed are never claimed again; a retry is', async () => {
    const store = await fresh();
    await withOutbound(store);
    await store.claimDueOutbound(1_000, 5_000, 10);
    await store.recordOutboundAttempt('o1', { status: 'delivered', nextAttemptAt: 5_000, lastError: null });
    await store.recordOutboundAttempt('o2', {
      status: 'failed',
      nextAttemptAt: 5_000,
      lastError: 'HTTP 500',
    });
    await store.recordOutboundAttempt('o3', {
      status: 'pending',
      nextAttemptAt: 2_000,
      lastError: 'timeout',
    });
    const list = await store.listOutbound('s1');
    expect(list.map((o) => [o.id, o.status, o.attempts, o.nextAttemptAt, o.lastError])).toEqual([
      ['o3', 'pending', 1, 2_000, 'timeout'],
      ['o1', 'delivered', 1, 5_000, null],
      ['o2', 'failed', 1, 5_000, 'HTTP 500'],
    ]);
    expect((await store.claimDueOutbound(100_000, 200_000, 10)).map((o) => [o.id, o.attempts])).toEqual([
      ['o3', 2],
    ]);
  });

  it('two instances claiming at once never get the same webhook', async () => {
    const path = dbFile();
    const a = await fresh(path);
    const b = await fresh(path);
    await a.createSession(newSession('s1'), 1);
    for (let i = 0; i < 20; i++) {
      await a.enqueueOutbound({
        id: `o${i}`,
        sessionId: 's1',
        url: 'https://app/cb',
        body: '{}',
        nextAttemptAt: i,
      });
    }
    const batches = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claimDueOutbound(100, 1_000, 3)),
    );
    const ids = batches.flat().map((o) => o.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('settings', () => {
  it('getOrCreateSetting creates once and then returns the stored value without calling create', async () => {
    const store = await fresh();
    expect(await store.getOrCreateSetting('secret', () => 'first')).toBe('first');
    let called = false;
    expect(
      await store.getOrCreateSetting('secret', () => {
        called = true;
        return 'second';
      }),
    ).toBe('first');
    expect(called).toBe(false);
    expect(await store.getOrCreateSetting('other', () => 'x')).toBe('x');
  });

  it('two instances racing agree on one value', async () => {
    const path = dbFile();
    const a = await fresh(path);
    const b = await fresh(path);
    const values = await Promise.all([
      a.getOrCreateSetting('secret', () => 'from-a'),
      b.getOrCreateSetting('secret', () => 'from-b'),
      a.getOrCreateSetting('secret', () => 'from-a2'),
    ]);
    expect(new Set(values).size).toBe(1);
  });
});

describe('openStore', () => {
  it('parses sqlite:, file:, bare paths and :memory:', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/x.db')).toEqual({ kind: 'sqlite', path: '/var/lib/x.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('file:./x.db')).toEqual({ kind: 'sqlite', path: './x.db' });
    expect(parseDatabaseUrl('file:///tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(parseDatabaseUrl('./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDatabaseUrl(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('postgres://u:p@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@h/db' });
    expect(() => parseDatabaseUrl('')).toThrow(/empty/);
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
      expect(await store.ready()).toMatchObject({ ok: true });
    }
    for (const path of paths) expect(existsSync(path)).toBe(true);
  });

  it('postgres:// and postgresql:// throw a clear error (and do not echo the URL)', async () => {
    for (const url of ['postgres://user:hunter2@db/x', 'postgresql://user:hunter2@db/x']) {
      const error = await openStore(url).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).toMatch(/PostgreSQL support arrives in a later release/);
      expect(error!.message).not.toContain('hunter2');
    }
  });
});
