/**
 * Memory of open waiting-page event streams: the service's `GET /s/<id>/<sig>/events` against a bare `node:http`
 * SSE server (bench/support/bare-sse-server.ts), both in child processes. BENCH_STREAMS (default 10,000) sessions
 * of a flow that parks at once on a wait (bench/support/flows/waiting-page.json: the waiting page without the
 * Socure call before it, which would make set-up take ~10 minutes) are created through the sessions API and their
 * pages opened first by the bench's "browsers" (each session then belongs to that browser's `sc_browser`
 * cookie), on a service process that is then stopped. Each round starts each server afresh on that database,
 * opens BENCH_WARMUP_STREAMS streams (default 1,000), reads its memory after a forced GC, opens the rest, reads it
 * again: a stream's cost is the slope between the two readings (start-up and first-request costs left out), in
 * RSS and in V8 heap; the total is the RSS with every stream open. Rounds: BENCH_ROUNDS (default 3), A B A B …,
 * medians. BENCH_HEAP_SNAPSHOT_DIR=<dir> also writes a heap snapshot at each reading (to diff: what a stream holds).
 *
 * Clients: BENCH_PER_ADDRESS (default 10) sessions and streams per loopback address 127.10.x.y, so the shipped
 * caps hold (SSE_MAX_PER_CLIENT 20, 600 page requests a minute per client) and no setting is raised, except
 * SSE_MAX_STREAMS when BENCH_STREAMS is above its default of 10,000.
 * Targets: per-stream cost ≤ 1.3 × bare (RSS and heap); 10,000 streams in ≤ 300 MB RSS. Never fails on a miss.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildServer, fixed, machineLine, median, printTable, spawnServer } from './support/common.js';
import { createOwnedSession, loopbackAddress, type OwnedSession, SseStream } from './support/sse-client.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const WARMUP = Number(process.env.BENCH_WARMUP_STREAMS ?? Math.min(1_000, Math.floor(STREAMS / 10)));
const PER_ADDRESS = Number(process.env.BENCH_PER_ADDRESS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 1.3;
const TARGET_TOTAL_MB = 300;
/** The total target is stated for 10,000 streams. */
const TOTAL_TARGET_STREAMS = 10_000;
const MB = 1024 * 1024;

type SideName = 'service' | 'bare node:http';
interface Reading {
  rss: number;
  heapUsed: number;
  external: number;
}
interface RoundResult {
  side: SideName;
  round: number;
  warm: Reading;
  full: Reading;
  openMs: number;
}

/** Runs `fn` over `items`, `limit` at a time. */
async function inBatches<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** RSS and heap after a forced GC; with BENCH_HEAP_SNAPSHOT_DIR also a heap snapshot (diff two to see a stream's objects). */
async function memoryOf(child: ChildServer): Promise<Reading> {
  const res = await fetch(
    `${child.info.probe}/${process.env.BENCH_HEAP_SNAPSHOT_DIR ? 'snapshot' : 'memory'}`,
  );
  return (await res.json()) as Reading;
}

const secret = `whs_${randomBytes(18).toString('base64url')}`;
const apiKey = `sck_bench_${randomBytes(18).toString('base64url')}`;
const dir = mkdtempSync(join(tmpdir(), 'bench-sse-memory-'));
const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
const children: ChildServer[] = [];
let open: SseStream[] = [];

console.log(`# sse-memory — ${machineLine()}`);
console.log(
  `${STREAMS} waiting sessions, one open event stream each (${WARMUP} before the first reading), ` +
    `${PER_ADDRESS} per client address; ${ROUNDS} rounds, fresh processes each (A B A B …)`,
);

try {
  const started = performance.now();
  const serviceEnv = {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_FLOWS_DIR: fileURLToPath(new URL('./support/flows', import.meta.url)),
    BENCH_WEBHOOK_SECRET: secret,
    BENCH_API_KEY: apiKey,
    // Session set-up only: the measured streams never touch the disk.
    BENCH_SQLITE_SYNCHRONOUS: 'normal',
    ...(STREAMS > 10_000 ? { BENCH_SSE_MAX_STREAMS: String(STREAMS) } : {}),
  };
  const setup = await spawnServer('sse-service.ts', serviceEnv);
  children.push(setup);
  const sessions: OwnedSession[] = await inBatches(
    Array.from({ length: STREAMS }, (_, i) => i),
    16,
    async (i) => {
      const s = await createOwnedSession(
        setup.info.url!,
        apiKey,
        loopbackAddress(Math.floor(i / PER_ADDRESS)),
        {
          flow: 'waiting-page',
          customerUserId: `bench-${randomUUID()}`,
        },
      );
      if (s.status !== 'waiting') throw new Error(`session ${s.id} is ${s.status}, not waiting`);
      return s;
    },
  );
  await setup.stop();
  console.log(`setup: ${sessions.length} sessions in ${fixed((performance.now() - started) / 1000, 1)} s\n`);

  const sides: Array<{ name: SideName; script: string; env: Record<string, string> }> = [
    { name: 'service', script: 'sse-service.ts', env: serviceEnv },
    { name: 'bare node:http', script: 'bare-sse-server.ts', env: {} },
  ];
  const results: RoundResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of sides) {
      const child = await spawnServer(side.script, side.env);
      children.push(child);
      const t0 = performance.now();
      const openAll = (from: number, to: number) =>
        inBatches(sessions.slice(from, to), 200, async (s) => {
          const stream = new SseStream(`${child.info.url}${s.path}/events`, s);
          open.push(stream);
          await stream.opened;
        });
      await openAll(0, WARMUP);
      const warm = await memoryOf(child);
      await openAll(WARMUP, STREAMS);
      const openMs = performance.now() - t0;
      const full = await memoryOf(child);
      results.push({ side: side.name, round, warm, full, openMs });
      for (const stream of open) stream.close();
      open = [];
      await child.stop();
    }
  }

  const perThousand = (r: RoundResult, key: keyof Reading) =>
    ((r.full[key] - r.warm[key]) / (STREAMS - WARMUP)) * 1000;
  printTable(
    ['run', `RSS at ${WARMUP} MB`, `RSS at ${STREAMS} MB`, 'RSS MB / 1,000', 'heap MB / 1,000', 'open s'],
    results.map((r) => [
      `${r.side} #${r.round}`,
      fixed(r.warm.rss / MB, 1),
      fixed(r.full.rss / MB, 1),
      fixed(perThousand(r, 'rss') / MB, 2),
      fixed(perThousand(r, 'heapUsed') / MB, 2),
      fixed(r.openMs / 1000, 1),
    ]),
  );
  const of = (side: SideName) => results.filter((r) => r.side === side);
  const cost = (side: SideName, key: keyof Reading) => median(of(side).map((r) => perThousand(r, key)));
  // Both: RSS is what the machine pays, the heap is what the code decides (RSS adds native socket memory, the
  // same on both sides, and V8's spare pages, which differ by when each heap last grew).
  const ratios = (['rss', 'heapUsed'] as const).map((key) => {
    const [service, bare] = [cost('service', key), cost('bare node:http', key)];
    return { key, service, bare, ratio: service / bare };
  });
  const total = median(of('service').map((r) => r.full.rss));
  const judged = STREAMS === TOTAL_TARGET_STREAMS;
  const met = ratios.every((r) => r.ratio <= TARGET_RATIO) && (!judged || total / MB <= TARGET_TOTAL_MB);
  const per = ratios
    .map(
      ({ key, service, bare, ratio }) =>
        `${key === 'rss' ? 'RSS' : 'heap'} ${fixed(service / MB, 2)} MB = ${fixed(ratio, 2)}× bare node:http (${fixed(bare / MB, 2)} MB)`,
    )
    .join(', ');
  console.log(
    `\nRESULT sse-memory: per 1,000 open streams ${per} (target ≤ ${TARGET_RATIO}× each); ${STREAMS} streams in ` +
      `${fixed(total / MB, 0)} MB RSS (target ${TOTAL_TARGET_STREAMS} in ≤ ${TARGET_TOTAL_MB} MB${judged ? '' : ': not judged at this count'}) ` +
      `${met ? 'met' : 'missed'}`,
  );
} finally {
  for (const stream of open) stream.close();
  await Promise.all(children.map((c) => c.stop().catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
}
