/**
 * Session start: `POST /api/sessions` for the DocV QR flow on `npm start`'s defaults (embedded sandbox, SQLite,
 * `synchronous=FULL`). Each call creates a session, asks the sandbox for a DocV transaction and parks the session
 * at its wait, answering 201 with the person's URL. autocannon drives it with 10 connections; rounds of 5 s after
 * a priming run. Reports sessions/s, latency and the service's CPU ms per session (the embedded sandbox runs in
 * the same process, as it does for a user).
 *
 * The target is relative to the code before the performance issue (~45 sessions/s on this machine): ≥ 4×. To
 * measure that baseline in the same run, point BENCH_BASELINE_DIR at a checkout of that code with its
 * node_modules (e.g. `git worktree add /tmp/before d631979 && ln -s $PWD/node_modules /tmp/before/`); its
 * `bench/support/session-service.ts` is copied in and run the same way. Without it the bench prints the
 * figures and the ratio to the recorded 45 sessions/s.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  type ChildServer,
  fixed,
  loadAverage,
  machineLine,
  median,
  printTable,
  spawnServer,
} from './support/common.js';

const TARGET = 4;
const RECORDED_BEFORE = 45;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRIME = Number(process.env.BENCH_PRIME ?? 300);
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR;

const apiKey = `bench-${randomBytes(16).toString('hex')}`;
const body = JSON.stringify({ flow: 'docv-qr', customerUserId: 'bench-user' });

interface Run {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  cpuMsPerSession: number;
}

async function measure(label: string, server: ChildServer, duration: number, amount?: number): Promise<Run> {
  const cpu0 = server.cpuMs();
  const r = await autocannon({
    url: `${server.info.url}/api/sessions`,
    method: 'POST',
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration } : { amount }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
  });
  const ok = r['2xx'];
  return {
    label,
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    cpuMsPerSession: ok > 0 ? (server.cpuMs() - cpu0) / ok : Number.NaN,
  };
}

/** One session by hand: it must answer 201 with a session that waits (the QR page is ready). */
async function sanityCheck(server: ChildServer): Promise<void> {
  const res = await fetch(`${server.info.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
  });
  const json = (await res.json()) as { status?: string };
  if (res.status !== 201 || json.status !== 'waiting')
    throw new Error(`session start answered ${res.status}: ${JSON.stringify(json)}`);
}

async function startTarget(
  label: string,
  script: string,
): Promise<{ label: string; server: ChildServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'session-start-'));
  const server = await spawnServer(script, { BENCH_DATA_DIR: dir, BENCH_API_KEY: apiKey });
  await sanityCheck(server);
  return { label, server, dir };
}

console.log(`# session-start — ${machineLine()}, load average ${loadAverage()}`);
console.log(
  `POST /api/sessions {flow: docv-qr}: embedded sandbox, SQLite FULL, LOG_LEVEL info → /dev/null; autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s after ${PRIME} priming sessions\n`,
);

const targets = [await startTarget('now', 'session-service.ts')];
if (BASELINE_DIR) {
  // The baseline's own code, started by this script's copy of the service wrapper.
  const copy = join(BASELINE_DIR, 'bench/support/session-service-baseline.ts');
  const own = fileURLToPath(new URL('./support/session-service.ts', import.meta.url));
  copyFileSync(own, copy);
  targets.push(await startTarget('before', relative(dirname(own), copy)));
}
const runs: Run[] = [];
try {
  for (const t of targets) await measure(t.label, t.server, 0, PRIME);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) runs.push(await measure(`${t.label} #${round}`, t.server, DURATION_S));
  }
} finally {
  for (const t of targets) {
    await t.server.stop();
    rmSync(t.dir, { recursive: true, force: true });
  }
}

printTable(
  ['run', 'sessions/s', 'p50 ms', 'p99 ms', 'non-2xx/err', 'service CPU ms/session'],
  runs.map((r) => [r.label, fixed(r.rps, 1), fixed(r.p50), fixed(r.p99), r.bad, fixed(r.cpuMsPerSession, 2)]),
);
const med = (label: string, key: 'rps' | 'cpuMsPerSession') =>
  median(runs.filter((r) => r.label.startsWith(`${label} `)).map((r) => r[key]));
const now = med('now', 'rps');
const before = BASELINE_DIR ? med('before', 'rps') : RECORDED_BEFORE;
const ratio = now / before;
console.log(
  `\nmedian: ${fixed(now, 1)} sessions/s, ${fixed(med('now', 'cpuMsPerSession'), 2)} CPU ms/session` +
    (BASELINE_DIR
      ? `; before: ${fixed(before, 1)} sessions/s, ${fixed(med('before', 'cpuMsPerSession'), 2)} CPU ms/session`
      : ''),
);
console.log(
  `RESULT session-start: ${fixed(now, 1)} sessions/s = ${ratio.toFixed(2)}× ${BASELINE_DIR ? 'the code before, same run' : `the recorded ${RECORDED_BEFORE}/s`} (target ≥ ${TARGET}×) ${ratio >= TARGET ? 'met' : 'missed'}`,
);
