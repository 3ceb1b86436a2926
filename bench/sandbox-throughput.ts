/**
 * Sandbox ID+ throughput vs a bare node:http JSON server, both in child processes, both driven by
 * autocannon from this process over loopback. Order A B C A B C; the median of each side is compared.
 * Target: sandbox req/s ≥ 0.5 × raw req/s (the performance issue's; the compass aims at 0.7). A third side, the
 * scoring floor (bench/support/raw-scoring-server.ts), runs the sandbox's validation, scoring and serialising on
 * the raw server's node:http loop: what the work itself allows with no framework. Prints a table and a final
 * RESULT line; never fails.
 */
import autocannon, { type AutocannonResult } from 'autocannon';
import {
  fixed,
  ID_PLUS_PATH,
  ID_PLUS_REQUEST,
  machineLine,
  median,
  printTable,
  spawnServer,
} from './support/common.js';

const TARGET = 0.5;
const COMPASS = 0.7;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const WARMUP_S = 1;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const body = JSON.stringify(ID_PLUS_REQUEST);

const sandbox = await spawnServer('sandbox-server.ts');
const headers = {
  authorization: `SocureApiKey ${sandbox.info.idPlusKey}`,
  'content-type': 'application/json',
  accept: 'application/json',
};
const sandboxUrl = `${sandbox.info.url}${ID_PLUS_PATH}`;

// The baseline answers a real ID+ answer, byte for byte the size the sandbox sends.
const sample = await fetch(sandboxUrl, { method: 'POST', headers, body });
const answer = await sample.text();
if (sample.status !== 200) throw new Error(`sandbox answered ${sample.status}: ${answer}`);
const raw = await spawnServer('raw-server.ts', { BENCH_RAW_BODY: answer });
const rawUrl = `${raw.info.url}${ID_PLUS_PATH}`;
const floor = await spawnServer('raw-scoring-server.ts');
const floorUrl = `${floor.info.url}${ID_PLUS_PATH}`;
const floorSample = await fetch(floorUrl, { method: 'POST', headers, body });
const floorAnswer = await floorSample.text();
if (floorSample.status !== 200 || Buffer.byteLength(floorAnswer) !== Buffer.byteLength(answer))
  throw new Error(`the scoring floor answered ${floorSample.status} with other bytes: ${floorAnswer}`);

type Side = 'sandbox' | 'floor' | 'raw';
const SIDES: Record<Side, { server: typeof sandbox; url: string; label: string }> = {
  sandbox: { server: sandbox, url: sandboxUrl, label: 'sandbox' },
  floor: { server: floor, url: floorUrl, label: 'scoring on node:http' },
  raw: { server: raw, url: rawUrl, label: 'raw node:http' },
};

interface Run {
  side: Side;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
  serverCpuUsPerReq: number;
  /** CPU of this process (autocannon) as % of one core: near 100 means the load generator is the limit. */
  loaderCpuPct: number;
}

async function load(url: string, duration: number): Promise<AutocannonResult> {
  return autocannon({ url, connections: CONNECTIONS, duration, method: 'POST', headers, body });
}

async function measure(side: Run['side'], round: number): Promise<Run> {
  const { server, url } = SIDES[side];
  await load(url, WARMUP_S);
  const cpu0 = server.cpuMs();
  const own0 = process.cpuUsage();
  const r = await load(url, DURATION_S);
  const cpu = server.cpuMs() - cpu0;
  const own = process.cpuUsage(own0);
  const ok = r['2xx'];
  return {
    side,
    round,
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    serverCpuUsPerReq: ok > 0 ? (cpu * 1000) / ok : Number.NaN,
    loaderCpuPct: (own.user + own.system) / 10_000 / r.duration,
  };
}

console.log(`# sandbox-throughput — ${machineLine()}`);
console.log(
  `POST ${ID_PLUS_PATH}, modules ${ID_PLUS_REQUEST.modules.join(',')}; request ${body.length} B, answer ${Buffer.byteLength(answer)} B`,
);
console.log(
  `autocannon: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per run, ${ROUNDS} rounds (A B C A B C)\n`,
);

const runs: Run[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of Object.keys(SIDES) as Side[]) runs.push(await measure(side, round));
  }
} finally {
  await Promise.all([sandbox.stop(), floor.stop(), raw.stop()]);
}

printTable(
  ['run', 'req/s', 'p50 ms*', 'p99 ms*', 'non-2xx/err', 'server CPU µs/req', 'autocannon CPU %'],
  runs.map((r) => [
    `${r.side} #${r.round}`,
    fixed(r.rps),
    fixed(r.p50),
    fixed(r.p99),
    r.bad,
    fixed(r.serverCpuUsPerReq, 1),
    fixed(r.loaderCpuPct),
  ]),
);

const med = (side: Run['side'], key: 'rps' | 'serverCpuUsPerReq') =>
  median(runs.filter((r) => r.side === side).map((r) => r[key]));
const sandboxRps = med('sandbox', 'rps');
const rawRps = med('raw', 'rps');
const ratio = sandboxRps / rawRps;
const floorRatio = med('floor', 'rps') / rawRps;
const bad = runs.reduce((n, r) => n + r.bad, 0);

console.log('* autocannon records latency in whole milliseconds');
console.log('');
printTable(
  ['median', 'req/s', 'server CPU µs/req'],
  (Object.keys(SIDES) as Side[]).map((side) => [
    SIDES[side].label,
    fixed(med(side, 'rps')),
    fixed(med(side, 'serverCpuUsPerReq'), 1),
  ]),
);
if (bad > 0) console.log(`\nwarning: ${bad} non-2xx/errored/timed-out responses — the numbers are suspect`);
console.log(
  `\nRESULT sandbox-throughput: sandbox/raw = ${ratio.toFixed(2)} (${fixed(sandboxRps)} / ${fixed(rawRps)} req/s), target ≥ ${TARGET} (compass ${COMPASS}) — ${ratio >= TARGET ? 'MET' : 'MISSED'}; the scoring alone on node:http = ${floorRatio.toFixed(2)}` +
    `${floorRatio < TARGET ? ' (below the target too: no framework reaches it with this work here)' : ''}`,
);
