/**
 * Restart with work waiting: the service (the `socure-connector` bin, SQLite, embedded sandbox) restarted on a
 * database holding BENCH_SESSIONS (default 5,000) docv-qr sessions waiting for Socure's DocV webhook, timed from
 * spawn to GET /readyz 200 and then to one webhook POST answered 200 (a VERIFICATION_COMPLETED for one of the
 * waiting sessions). Baseline in the same run: the same restart on a database with no sessions. The sessions
 * are made through the public API (POST /api/sessions, each calling the sandbox's DocV API and parking at the
 * wait); each restart runs on a fresh copy of the stopped service's database. One unmeasured warm-up restart of
 * each, then BENCH_ROUNDS rounds (default 5) in alternating order; medians compared.
 * Target: with sessions ≤ 1.5 × without. BENCH_CPU_PROF_DIR=<dir> profiles the measured restarts (--cpu-prof).
 * Prints a table and a final RESULT line; never fails on a missed target.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/store/index.js';
import type { SessionRow } from '../src/store/types.js';
import { buildTestDelivery } from '../src/webhooks/test-helpers.js';
import { fixed, loadAverage, machineLine, median, printTable } from './support/common.js';
import { buildDist, distIsCurrent } from './support/dist.js';
import { cleanEnv, freePorts, type Started, startUntilReady } from './support/start-until-ready.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TARGET = 1.5;
const API_KEY = `sck_bench_${randomBytes(18).toString('base64url')}`;
const SECRET = `whs_${randomBytes(18).toString('base64url')}`;

/** A stopped service's database, and what a restart of it is sent. */
interface Template {
  name: string;
  file: string;
  webhookPath: string;
  delivery: string;
}

/** Starts the bin on `database`; `profileAs` names the --cpu-prof folder when BENCH_CPU_PROF_DIR is set. */
async function startService(database: string, profileAs?: string): Promise<Started & { base: string }> {
  const [port, sandboxPort] = await freePorts(2);
  const dir = process.env.BENCH_CPU_PROF_DIR;
  const flags = profileAs && dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}/${profileAs}`] : [];
  const env = cleanEnv({
    PORT: String(port),
    SANDBOX_PORT: String(sandboxPort),
    DATABASE_URL: `sqlite:${database}`,
    CONNECTOR_API_KEY: API_KEY,
    SOCURE_WEBHOOK_SECRET: SECRET,
    // One instance across its restarts, as with a fixed port (the ports here change every start).
    INSTANCE_ID: 'bench-restart',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const started = await startUntilReady(process.execPath, [...flags, 'bin/socure-connector.js', 'start'], {
    cwd: ROOT,
    env,
    port: port!,
    timeoutMs: 120_000,
  });
  return { ...started, base: `http://127.0.0.1:${port}` };
}

/** docv-qr sessions through the sessions API, CONCURRENCY at a time; each must end up waiting. */
async function createWaitingSessions(base: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${base}/api/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ flow: 'docv-qr', customerUserId: `bench-${i}` }),
      });
      const body = (await res.json()) as { status?: string };
      if (res.status !== 201 || body.status !== 'waiting')
        throw new Error(`session ${i}: ${res.status} ${JSON.stringify(body)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function prepare(name: string, sessions: number): Promise<Template> {
  const dir = await mkdtemp(join(tmpdir(), `socure-restart-${name}-`));
  try {
    return await fillTemplate(name, join(dir, 'template.db'), sessions);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function fillTemplate(name: string, file: string, sessions: number): Promise<Template> {
  const service = await startService(file);
  const t0 = performance.now();
  try {
    await createWaitingSessions(service.base, sessions);
  } finally {
    await service.stop();
  }
  console.log(`${name}: ${sessions} sessions created in ${fixed((performance.now() - t0) / 1000, 1)} s`);
  // Read back through the store API: what waits, the webhook path, a waiting session's keys.
  const store = await openSqliteStore(file);
  try {
    const waiting: SessionRow[] = [];
    for (let page = await store.listWaitingSessions(1000); page.length > 0; ) {
      waiting.push(...page);
      page = await store.listWaitingSessions(1000, page.at(-1)!.id);
    }
    if (waiting.length !== sessions)
      throw new Error(`${name}: ${waiting.length} sessions wait, not ${sessions}`);
    const webhookPath = await store.getOrCreateSetting('socure-webhook-path', () => {
      throw new Error('the service stored no webhook path');
    });
    const target = waiting[Math.floor(waiting.length / 2)];
    const delivery = buildTestDelivery({
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: target?.waitToken ?? randomUUID(),
      referenceId: target?.waitReferenceId ?? undefined,
    });
    return { name, file, webhookPath, delivery: JSON.stringify(delivery) };
  } finally {
    await store.close();
  }
}

/** Restarts on a fresh copy of the template: spawn → /readyz 200, and → the webhook POST answered 200. */
async function restart(
  template: Template,
  measured: boolean,
): Promise<{ readyMs: number; cpuMs: number; webhookMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'socure-restart-run-'));
  const file = join(dir, 'socure-connector.db');
  // With the key file beside it (`<database>.keys`): without it the copy's personal data could not be read.
  for (const suffix of ['', '-wal', '-shm', '.keys'])
    if (existsSync(template.file + suffix)) await copyFile(template.file + suffix, file + suffix);
  const service = await startService(file, measured ? template.name : undefined);
  try {
    const res = await fetch(`${service.base}/webhooks/socure/${template.webhookPath}`, {
      method: 'POST',
      headers: { authorization: SECRET, 'content-type': 'application/json' },
      body: template.delivery,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${template.name}: the webhook was answered ${res.status}`);
    const webhookMs = performance.now() - service.spawnedAt;
    return { readyMs: service.readyMs, cpuMs: service.cpuMs, webhookMs };
  } finally {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`# restart-waiting — ${machineLine()}, load ${loadAverage()}`);
console.log('building dist/ (npm run build) …');
buildDist();
const templates = [await prepare('empty', 0), await prepare('waiting', SESSIONS)];
type Runs = { readyMs: number[]; cpuMs: number[]; webhookMs: number[] };
const runs = new Map<string, Runs>(templates.map((t) => [t.name, { readyMs: [], cpuMs: [], webhookMs: [] }]));
try {
  for (let round = 0; round <= ROUNDS; round++) {
    for (const template of round % 2 ? [...templates].reverse() : templates) {
      const run = await restart(template, round > 0);
      if (round === 0) continue; // warm-up: disk cache, the bench's own first fetch
      const into = runs.get(template.name)!;
      for (const k of ['readyMs', 'cpuMs', 'webhookMs'] as const) into[k].push(run[k]);
    }
  }
} finally {
  for (const template of templates) await rm(dirname(template.file), { recursive: true, force: true });
}

const empty = runs.get('empty')!;
const waiting = runs.get('waiting')!;
printTable(
  ['database', 'ready ms', 'CPU ms at ready', 'webhook 200 ms', 'min', 'max'],
  [['empty (baseline)', empty] as const, [`${SESSIONS} sessions waiting`, waiting] as const].map(
    ([name, r]) => [
      name,
      fixed(median(r.readyMs)),
      fixed(median(r.cpuMs)),
      fixed(median(r.webhookMs)),
      fixed(Math.min(...r.webhookMs)),
      fixed(Math.max(...r.webhookMs)),
    ],
  ),
);
console.log(`medians of ${ROUNDS} rounds, load ${loadAverage()}`);
if (!distIsCurrent())
  console.log('WARNING: src/ changed during the run; the bin may have run the sources through tsx.');
const ratio = median(waiting.webhookMs) / median(empty.webhookMs);
const readyRatio = median(waiting.readyMs) / median(empty.readyMs);
console.log(
  `\nRESULT restart-waiting: spawn → webhook 200 with ${SESSIONS} waiting ${fixed(median(waiting.webhookMs))} ms ` +
    `= ${fixed(ratio, 2)}× empty ${fixed(median(empty.webhookMs))} ms (ready ${fixed(readyRatio, 2)}×), ` +
    `target ≤ ${TARGET}× ${ratio <= TARGET ? 'met' : 'missed'}`,
);
