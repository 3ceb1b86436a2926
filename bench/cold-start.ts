/**
 * Cold start: spawn → first 200 on GET /readyz, for the ways a person starts the service — `npm start`, the
 * `socure-connector` bin, the built JavaScript directly, and the sources through tsx (`npm run dev`; also what
 * the bin falls back to when dist/ is stale) — against a baseline in the same run: node:http + better-sqlite3
 * opening a database and answering 200 (bench/support/ready-baseline.mjs). Every start gets a fresh temp data
 * dir, a free port and the embedded sandbox on another. One unmeasured warm-up round (disk cache), then
 * BENCH_ROUNDS rounds (default 5), the order of the sides rotating each round; medians compared.
 * Targets: the bin ≤ 5× the baseline; `npm start` ≤ 800 ms. Builds dist/ first (as `npm install` does).
 * The bin compiles its bundle through V8's code cache (bin/run-bundle.js), which the first start after a build
 * writes: the side "bin, no code cache" deletes it before each of its starts (that start writes it again).
 * Prints a table and a final RESULT line; never fails on a missed target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed, loadAverage, machineLine, median, printTable } from './support/common.js';
import { buildDist, distIsCurrent } from './support/dist.js';
import { cleanEnv, freePorts, startUntilReady } from './support/start-until-ready.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_BIN_RATIO = 5;
const TARGET_NPM_START_MS = 800;

interface Side {
  name: string;
  command: string;
  args: string[];
  /** Run before each of this side's starts. */
  before?: () => Promise<void>;
}
const node = (name: string, ...args: string[]): Side => ({ name, command: process.execPath, args });
const BASELINE = node('baseline (node:http + better-sqlite3)', 'bench/support/ready-baseline.mjs');
const NPM_START: Side = { name: 'npm start', command: 'npm', args: ['start'] };
const BIN = node('bin (node bin/socure-connector.js start)', 'bin/socure-connector.js', 'start');
// The bench spawns this same Node, so the bin's cache is named after this V8 (bin/run-bundle.js).
const CODE_CACHE = join(ROOT, 'dist', 'bundle', `cli.cjs.${process.versions.v8}.v8-cache`);
const SIDES = [
  BASELINE,
  NPM_START,
  BIN,
  {
    ...BIN,
    name: 'bin, no code cache (first start after a build)',
    before: () => rm(CODE_CACHE, { force: true }),
  },
  node('dist (node dist/cli/main.js start)', 'dist/cli/main.js', 'start'),
  node('tsx (npm run dev)', '--import', 'tsx', 'src/cli/main.ts', 'start'),
];

async function coldStart(side: Side): Promise<{ ms: number; cpuMs: number }> {
  await side.before?.();
  const dir = await mkdtemp(join(tmpdir(), 'socure-cold-start-'));
  try {
    const [port, sandboxPort] = await freePorts(2);
    const database = join(dir, 'socure-connector.db');
    const env = cleanEnv({
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      DATABASE_URL: `sqlite:${database}`,
      DATABASE_PATH: database,
    });
    const started = await startUntilReady(side.command, side.args, { cwd: ROOT, env, port: port! });
    await started.stop();
    return { ms: started.readyMs, cpuMs: started.cpuMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`# cold-start — ${machineLine()}, load ${loadAverage()}`);
console.log('building dist/ (npm run build) …');
buildDist();

const times = new Map(SIDES.map((s) => [s.name, { ms: [] as number[], cpuMs: [] as number[] }]));
for (let round = 0; round <= ROUNDS; round++) {
  for (let i = 0; i < SIDES.length; i++) {
    const side = SIDES[(round + i) % SIDES.length]!;
    const { ms, cpuMs } = await coldStart(side);
    if (round === 0) continue; // warm-up: disk cache
    times.get(side.name)!.ms.push(ms);
    times.get(side.name)!.cpuMs.push(cpuMs);
  }
}
// Another edit of src/ during the run would have sent the bin to tsx: its figures would not be dist's.
const fresh = distIsCurrent();

const baseline = median(times.get(BASELINE.name)!.ms);
printTable(
  ['side', 'median ms', 'min', 'max', '× baseline', 'CPU ms (median)'],
  SIDES.map((s) => {
    const { ms, cpuMs } = times.get(s.name)!;
    return [
      s.name,
      fixed(median(ms)),
      fixed(Math.min(...ms)),
      fixed(Math.max(...ms)),
      fixed(median(ms) / baseline, 2),
      fixed(median(cpuMs)),
    ];
  }),
);
console.log(`medians of ${ROUNDS} rounds, load ${loadAverage()}`);
if (!fresh)
  console.log('WARNING: src/ changed during the run; the bin may have run the sources through tsx.');

const bin = median(times.get(BIN.name)!.ms);
const npmStart = median(times.get(NPM_START.name)!.ms);
const met = bin / baseline <= TARGET_BIN_RATIO && npmStart <= TARGET_NPM_START_MS;
console.log(
  `\nRESULT cold-start: bin ${fixed(bin)} ms = ${fixed(bin / baseline, 2)}× baseline ${fixed(baseline)} ms ` +
    `(target ≤ ${TARGET_BIN_RATIO}×), npm start ${fixed(npmStart)} ms (target ≤ ${TARGET_NPM_START_MS} ms) ` +
    `${met ? 'met' : 'missed'}`,
);
