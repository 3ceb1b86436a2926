/**
 * Webhook on instance A → SSE `change` on instance B. Two service processes on one PostgreSQL (embedded, started
 * here), a standalone sandbox process, BENCH_SESSIONS (default 100) docv-qr sessions waiting on their DocV
 * transaction, each with an SSE connection open on B. One at a time, a VERIFICATION_COMPLETED delivery that
 * resolves a session's wait is posted to A; measured from the moment the POST starts:
 *   - first change: the first `change` event on B after the post (the wait resolved: status running);
 *   - final state: the `change` event with status completed (after the engine fetched the ID+ result).
 * The same measure with both sides on ONE instance: A on the same PostgreSQL (its own change still comes back
 * through NOTIFY/LISTEN) and a single SQLite instance (the in-process change feed). The three are interleaved,
 * one session of each per round. Target: cross-instance first-change p99 ≤ 50 ms. Never fails on a miss.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { buildTestDelivery } from '../src/webhooks/index.js';
import { testKeysFor } from '../test/support/database.js';
import { eventually } from '../test/support/eventually.js';
import {
  createApiSession,
  killAllProcesses,
  randomSecret,
  type SandboxProcess,
  ServiceInstance,
  startSandboxProcess,
} from '../test/support/instances.js';
import {
  createDatabase,
  type PostgresServer,
  startPostgres,
  type TestDatabase,
} from '../test/support/postgres.js';
import { fixed, machineLine, median, percentile, printTable } from './support/common.js';
import { SseStream } from './support/sse-client.js';

const TARGET_MS = 50;
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
/** Longest wait for one session's events before it counts as lost. */
const EVENT_TIMEOUT_MS = 10_000;

type SideName = 'cross-instance (PG, A → B)' | 'same instance (PG, A → A)' | 'single instance (SQLite)';

interface Side {
  name: SideName;
  /** Receives the webhooks (and the API calls). */
  hook: ServiceInstance;
  /** Holds the SSE connections. */
  listen: ServiceInstance;
  store: Store;
  sessions: BenchSession[];
  results: Array<{ ack: number; first: number; final: number }>;
  lost: number;
}

interface BenchSession {
  id: string;
  path: string;
  token: string;
  stream: SseStream | undefined;
}

/** Opens a session's page as a browser would; returns the cookie that now owns the session. */
async function claimPage(url: string): Promise<string> {
  const res = await fetch(url);
  await res.text();
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 200 || !cookie) throw new Error(`opening ${url}: ${res.status}, no browser cookie`);
  return cookie;
}

const webhookSecret = randomSecret('whs');
const apiKey = randomSecret('sck_bench');

let pgServer: PostgresServer | undefined;
let db: TestDatabase | undefined;
let sandbox: SandboxProcess | undefined;
const sqliteDir = mkdtempSync(join(tmpdir(), 'bench-sse-'));
const instances: ServiceInstance[] = [];
const stores: Store[] = [];
const streams: SseStream[] = [];

console.log(`# cross-instance-sse — ${machineLine()}`);
console.log(
  `${SESSIONS} waiting docv-qr sessions per side (+${WARMUP} warm-up), one SSE connection each; one VERIFICATION_COMPLETED ` +
    'webhook at a time; times from the start of the POST',
);

try {
  const started = performance.now();
  pgServer = await startPostgres();
  db = await createDatabase(pgServer.url, 'bench_sse');
  sandbox = await startSandboxProcess();
  const instance = (name: string, databaseUrl: string) => {
    const i = new ServiceInstance({
      name,
      databaseUrl,
      sandboxUrl: sandbox!.url,
      webhookSecret,
      apiKey,
      logLevel: 'warn',
      // Every stream comes from this one client.
      env: { SSE_MAX_PER_CLIENT: '10000' },
    });
    instances.push(i);
    return i;
  };
  const a = instance('A', db.url);
  const b = instance('B', db.url);
  const s = instance('S', `sqlite:${join(sqliteDir, 'bench.db')}`);
  await a.start();
  await Promise.all([b.start(), s.start()]);
  const pgStore = await openStore(db.url, { dataEncryptionKeys: testKeysFor(db.url) });
  const sqliteStore = await openStore(`sqlite:${join(sqliteDir, 'bench.db')}`);
  stores.push(pgStore, sqliteStore);

  const sides: Side[] = [
    {
      name: 'cross-instance (PG, A → B)',
      hook: a,
      listen: b,
      store: pgStore,
      sessions: [],
      results: [],
      lost: 0,
    },
    {
      name: 'same instance (PG, A → A)',
      hook: a,
      listen: a,
      store: pgStore,
      sessions: [],
      results: [],
      lost: 0,
    },
    {
      name: 'single instance (SQLite)',
      hook: s,
      listen: s,
      store: sqliteStore,
      sessions: [],
      results: [],
      lost: 0,
    },
  ];

  // Sessions waiting on their transaction; each transaction completed in the sandbox (which has no webhook
  // subscription: the only deliveries are the ones posted below), so the ID+ fetch finds an accept.
  const total = SESSIONS + WARMUP;
  for (const side of sides) {
    for (let i = 0; i < total; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, total - i) }, () =>
          createApiSession(side.hook.url, apiKey, {
            flow: 'docv-qr',
            customerUserId: `bench-${randomUUID()}`,
          }),
        ),
      );
      for (const created of batch)
        side.sessions.push({ id: created.id, path: created.path, token: '', stream: undefined });
    }
    for (const session of side.sessions) {
      const row = await eventually(
        async () => {
          const r = await side.store.getSession(session.id);
          return r?.status === 'waiting' && r.waitToken ? r : undefined;
        },
        `session ${session.id} waiting`,
        { timeoutMs: 15_000, intervalMs: 20, maxIntervalMs: 20 },
      );
      session.token = row.waitToken!;
      await sandbox.trigger(session.token, 'complete-accept');
    }
    // One SSE connection per session on the listening instance; each first sends the current state.
    for (const session of side.sessions) {
      // A session's page and streams belong to the browser that opened it first: this client, by its cookie.
      const cookie = await claimPage(`${side.listen.url}${session.path}`);
      session.stream = new SseStream(`${side.listen.url}${session.path}/events`, {
        cookie,
        localAddress: '127.0.0.1',
      });
      streams.push(session.stream);
    }
    await eventually(
      () => side.sessions.every((x) => x.stream!.events.length > 0),
      `${side.name}: every SSE connection open`,
      { timeoutMs: 20_000, intervalMs: 20, maxIntervalMs: 20 },
    );
  }
  const webhookPath = a.webhookPath;
  if (!webhookPath || s.webhookPath === undefined) throw new Error('no webhook path printed');
  console.log(`setup: ${fixed((performance.now() - started) / 1000, 1)} s\n`);

  const post = async (side: Side, session: BenchSession) => {
    const delivery = buildTestDelivery({
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: session.token,
    });
    const path = side.hook === s ? s.webhookPath : webhookPath;
    const t0 = performance.now();
    const res = await request(`${side.hook.url}/webhooks/socure/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: webhookSecret },
      body: JSON.stringify(delivery),
      signal: AbortSignal.timeout(EVENT_TIMEOUT_MS),
    });
    await res.body.dump();
    const ack = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${side.name}: webhook answered ${res.statusCode}`);
    const stream = session.stream!;
    const first = await stream.next(t0, (e) => e.data.status !== 'waiting', EVENT_TIMEOUT_MS);
    const final = await stream.next(t0, (e) => e.data.status === 'completed', EVENT_TIMEOUT_MS);
    if (!first || !final) {
      side.lost += 1;
      return undefined;
    }
    return { ack, first: first.at - t0, final: final.at - t0 };
  };

  for (let i = 0; i < total; i++) {
    for (const side of sides) {
      const r = await post(side, side.sessions[i]!);
      if (r && i >= WARMUP) side.results.push(r);
    }
  }

  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    return sorted.length === 0
      ? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }
      : { p50: median(sorted), p99: percentile(sorted, 99), max: sorted.at(-1)! };
  };
  const rows = sides.map((side) => {
    const ack = stats(side.results.map((r) => r.ack));
    const first = stats(side.results.map((r) => r.first));
    const final = stats(side.results.map((r) => r.final));
    return { side, ack, first, final };
  });
  printTable(
    ['side', 'n', 'lost', 'ack p50', 'first change p50', 'p99', 'max', 'final state p50', 'p99', 'max'],
    rows.map(({ side, ack, first, final }) => [
      side.name,
      side.results.length,
      side.lost,
      fixed(ack.p50, 1),
      fixed(first.p50, 1),
      fixed(first.p99, 1),
      fixed(first.max, 1),
      fixed(final.p50, 1),
      fixed(final.p99, 1),
      fixed(final.max, 1),
    ]),
  );
  console.log(
    'all times in ms from the start of the webhook POST; "final state" includes the ID+ result fetch',
  );
  const cross = rows[0]!;
  const lost = cross.side.lost;
  const p99 = cross.first.p99;
  const met = lost === 0 && p99 <= TARGET_MS;
  console.log(
    `\nRESULT cross-instance-sse: p99 ${fixed(p99, 1)} ms (target ≤ ${TARGET_MS} ms) ${met ? 'met' : 'missed'}` +
      ` — first change on B; final state p99 ${fixed(cross.final.p99, 1)} ms; same instance PG p99 ` +
      `${fixed(rows[1]!.first.p99, 1)} ms, SQLite p99 ${fixed(rows[2]!.first.p99, 1)} ms` +
      (lost > 0 ? `; ${lost} sessions never changed on B` : ''),
  );
} finally {
  for (const stream of streams) stream.close();
  for (const store of stores) await store.close().catch(() => undefined);
  await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
  await sandbox?.stop().catch(() => undefined);
  await killAllProcesses();
  await db?.drop().catch(() => undefined);
  await pgServer?.stop().catch(() => undefined);
  rmSync(sqliteDir, { recursive: true, force: true });
}
