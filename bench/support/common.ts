/** Shared helpers of the benches: child servers, CPU time of a process, statistics and tables. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STOCK_PERSONA } from '../../src/socure/stock-persona.js';

export const MODULES = ['kyc', 'fraud', 'emailrisk', 'phonerisk', 'addressrisk', 'decision'];
export const ID_PLUS_PATH = '/api/3.0/EmailAuthScore';
/** The request every bench sends: the stock persona with all six modules. */
export const ID_PLUS_REQUEST = { modules: MODULES, ...STOCK_PERSONA };

/** A server running in its own Node process (own event loop, own core when one is free). */
export interface ChildServer {
  pid: number;
  /** The JSON line the child printed first (its URL and anything else it reports). */
  info: Record<string, string>;
  /** User+system CPU time the child has used so far, in ms (from /proc; NaN where unavailable). */
  cpuMs(): number;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const killLive = () => {
  for (const child of live) child.kill('SIGTERM');
};
process.on('exit', killLive);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killLive();
    process.exit(130);
  });
}

/**
 * Runs `bench/support/<script>` with `node --import tsx` (what `npx tsx` does, without the extra npx
 * and tsx wrapper processes, so the pid we measure and stop is the server itself).
 * BENCH_CPU_PROF_DIR=<dir> starts it with `--cpu-prof` (written there when the bench stops it).
 */
export async function spawnServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const prof = process.env.BENCH_CPU_PROF_DIR;
  // One folder per script: the tsx loader thread writes a profile of its own beside the main thread's.
  const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}/${script.replace(/\.ts$/, '')}`] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  live.add(child);
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before printing its URL`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  const pid = child.pid!;
  return {
    pid,
    info,
    cpuMs: () => processCpuMs(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(force);
          live.delete(child);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** utime+stime of a process from /proc/<pid>/stat (Linux; USER_HZ is 100 on every mainstream build). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Nearest-rank percentile of an already sorted array. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Prints rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(fmt(r));
}

export const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function machineLine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores, ${new Date().toISOString()}`;
}

/** The 1, 5 and 15 minute load averages: start figures on a shared machine mean little without them. */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
