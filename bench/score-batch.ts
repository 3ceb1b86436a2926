/**
 * `score-batch` end to end: a CSV of 10,000 people scored against the sandbox (started in this process) by the
 * CLI in a child process, at concurrency 1, 4 and 16 (no rate limit), timing each run and sampling the child's
 * peak RSS (VmHWM). The same at 2,000 rows shows the command streams: its peak RSS must not grow with the rows.
 * Target: peak RSS at 10,000 rows ≤ 1.2× the 2,000-row run's. Never fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { STOCK_PERSONA as P } from '../src/socure/stock-persona.js';
import { fixed, loadAverage, machineLine, printTable } from './support/common.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const SMALL_ROWS = Number(process.env.BENCH_SMALL_ROWS ?? 2_000);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,4,16').split(',').map(Number);
const TARGET_RSS_RATIO = 1.2;
/** A second, smaller pass against a sandbox that answers after this long, as a remote Socure would. */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const LATENCY_ROWS = Number(process.env.BENCH_LATENCY_ROWS ?? 400);
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

console.log(`# score-batch — ${machineLine()}; load ${loadAverage()}`);

const dir = mkdtempSync(join(tmpdir(), 'bench-score-batch-'));
function writeCsv(rows: number): string {
  const path = join(dir, `people-${rows}.csv`);
  const lines = [
    'customerUserId,firstName,surName,dob,nationalId,email,mobileNumber,physicalAddress,city,state,zip,country',
  ];
  for (let i = 1; i <= rows; i++)
    lines.push(
      [
        `bench-${i}`,
        P.firstName,
        P.surName,
        P.dob,
        P.nationalId,
        P.email,
        P.mobileNumber,
        P.physicalAddress,
        P.city,
        P.state,
        P.zip,
        P.country,
      ].join(','),
    );
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const [sandbox, slowSandbox] = await Promise.all([
  startSandbox({ port: 0 }),
  startSandbox({ port: 0, latencyMs: LATENCY_MS }),
]);
type Target = Awaited<ReturnType<typeof startSandbox>>;

/** Peak resident set of a running process, in MB (Linux); undefined elsewhere. */
function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Run {
  latencyMs: number;
  rows: number;
  concurrency: number;
  seconds: number;
  rowsPerSecond: number;
  /** The scoring phase alone, as the command reports it (after start-up and validation). */
  scoringRowsPerSecond: number;
  peakRssMb: number | undefined;
}

async function runOnce(
  input: string,
  rows: number,
  concurrency: number,
  target: Target = sandbox,
): Promise<Run> {
  const latencyMs = target === sandbox ? 0 : LATENCY_MS;
  const out = join(dir, `out-${rows}-${concurrency}-${latencyMs}.csv`);
  const args = [
    '--import',
    'tsx',
    MAIN,
    'score-batch',
    input,
    '--out',
    out,
    '--rate',
    '0',
    '--concurrency',
    String(concurrency),
    '--json',
  ];
  const env = {
    ...process.env,
    SOCURE_API_URL: target.url,
    SOCURE_ID_PLUS_KEY: target.keys.sandbox.idPlusKey,
  };
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  let peak: number | undefined;
  const sampler = setInterval(() => {
    const now = peakRssMb(child.pid!);
    if (now !== undefined) peak = Math.max(peak ?? 0, now);
  }, 50);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`score-batch exited ${code}: ${stdout.slice(0, 500)}`);
  const report = JSON.parse(stdout) as { scored: number; rowsPerSecond: number };
  if (report.scored !== rows) throw new Error(`scored ${report.scored} of ${rows}`);
  // The whole run, start-up included (~1 s through tsx): that is what a person waits for.
  return {
    latencyMs,
    rows,
    concurrency,
    seconds,
    rowsPerSecond: rows / seconds,
    scoringRowsPerSecond: report.rowsPerSecond,
    peakRssMb: peak,
  };
}

const big = writeCsv(ROWS);
const small = writeCsv(SMALL_ROWS);
const runs: Run[] = [];
try {
  for (const c of CONCURRENCIES) runs.push(await runOnce(big, ROWS, c));
  const memoryConcurrency = CONCURRENCIES.includes(4) ? 4 : CONCURRENCIES[0]!;
  runs.push(await runOnce(small, SMALL_ROWS, memoryConcurrency));
  if (LATENCY_ROWS > 0) {
    const slowInput = writeCsv(LATENCY_ROWS);
    for (const c of CONCURRENCIES) runs.push(await runOnce(slowInput, LATENCY_ROWS, c, slowSandbox));
  }
} finally {
  await Promise.all([sandbox.close(), slowSandbox.close()]);
  rmSync(dir, { recursive: true, force: true });
}

printTable(
  [
    'answer latency',
    'rows',
    'concurrency',
    'seconds (whole run)',
    'rows/s (whole run)',
    'rows/s (scoring)',
    'peak RSS MB',
  ],
  runs.map((r) => [
    `${r.latencyMs} ms`,
    String(r.rows),
    String(r.concurrency),
    fixed(r.seconds, 1),
    fixed(r.rowsPerSecond, 0),
    fixed(r.scoringRowsPerSecond, 0),
    r.peakRssMb === undefined ? 'n/a' : fixed(r.peakRssMb, 0),
  ]),
);

const smallRun = runs.find((r) => r.rows === SMALL_ROWS && r.latencyMs === 0)!;
const bigSame = runs.find(
  (r) => r.rows === ROWS && r.latencyMs === 0 && r.concurrency === smallRun.concurrency,
)!;
const ratio = bigSame.peakRssMb && smallRun.peakRssMb ? bigSame.peakRssMb / smallRun.peakRssMb : undefined;
const paceOf = (latencyMs: number, rows: number) =>
  runs
    .filter((r) => r.rows === rows && r.latencyMs === latencyMs)
    .map((r) => `c${r.concurrency} ${fixed(r.scoringRowsPerSecond, 0)}`)
    .join(' / ');
const perConcurrency = runs
  .filter((r) => r.rows === ROWS && r.latencyMs === 0)
  .map(
    (r) =>
      `c${r.concurrency} ${fixed(r.scoringRowsPerSecond, 0)} rows/s (${fixed(r.rowsPerSecond, 0)} whole run)`,
  )
  .join(', ');
console.log(
  `\nRESULT score-batch: ${ROWS} rows ${perConcurrency}; ` +
    (LATENCY_ROWS > 0 ? `with ${LATENCY_MS} ms answers rows/s ${paceOf(LATENCY_MS, LATENCY_ROWS)}; ` : '') +
    `peak RSS ${fixed(bigSame.peakRssMb ?? Number.NaN, 0)} MB at ${ROWS} rows vs ` +
    `${fixed(smallRun.peakRssMb ?? Number.NaN, 0)} MB at ${SMALL_ROWS} (c${smallRun.concurrency}) = ${ratio === undefined ? 'n/a' : `${fixed(ratio, 2)}×`} ` +
    `(target ≤ ${TARGET_RSS_RATIO}×) ${ratio !== undefined && ratio <= TARGET_RSS_RATIO ? 'met' : 'missed'}`,
);
