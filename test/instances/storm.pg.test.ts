/**
 * The kill -9 storm: service instances (real processes) on one database behind a round-robin load balancer,
 * ~40 docv-qr sessions driven to their end by a standalone sandbox while instances are `kill -9`ed and
 * restarted, with webhooks (and duplicates of them) delivered concurrently. Afterwards, counted from the
 * database, the load balancer's log and the app's callback receiver:
 *   - no acknowledged delivery lost: every delivery answered 200 is in webhook_inbox;
 *   - no session resumed twice at the same wait (timeline 'resumed' per session per node ≤ 1);
 *   - no session with two app callbacks (one outbox row, one distinct webhook-id at the receiver);
 *   - no stuck session (all completed).
 * Leg 1: three instances on PostgreSQL. Leg 2: two processes on one SQLite file.
 * Every instance's full output is in artifacts/instances/storm-<leg>/.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateAppWebhookSecret } from '../../src/server/app-webhooks.js';
import { openStore } from '../../src/store/index.js';
import type { SessionRow, Store } from '../../src/store/types.js';
import { testKeysFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import {
  type AppWebhookReceiver,
  createApiSession,
  INSTANCE_LOG_ROOT,
  killAllProcesses,
  type LbExchange,
  type LoadBalancer,
  randomSecret,
  type SandboxProcess,
  ServiceInstance,
  sleep,
  startAppWebhookReceiver,
  startLoadBalancer,
  startSandboxProcess,
} from '../support/instances.js';
import { testDatabaseUrl } from '../support/postgres.js';

const SESSIONS = 40;
const MIN_KILLS = 10;
const KILLS = 10;
/** The storm itself (kills, triggers, replays) must be over by then. */
const STORM_BUDGET_MS = 75_000;
/** How long the survivors get to sweep afterwards (a killed runner's lease is 30 s). */
const SETTLE_MS = 60_000;
/** Trigger scenarios, drawn in turn: every one ends the session, with various outcomes. */
const SCENARIOS = [
  'complete-accept',
  'complete-accept',
  'complete-reject',
  'complete-accept',
  'complete-review',
  'decline',
  'complete-accept',
  // Not complete-resubmit: RESUBMIT now waits on a "Take new photos" screen for the person (not an end to count).
  'upload-failed',
];

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
const rand = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

interface StormConfig {
  label: string;
  databaseUrl: string;
  instances: string[];
}

interface StormReport {
  label: string;
  durationMs: number;
  kills: number;
  killsPerInstance: Record<string, number>;
  /** Kills of an instance that had requests in flight through the load balancer. */
  killedBusy: number;
  restarts: number;
  /** Median time of a restart, spawn to /readyz 200. */
  restartMedianMs: number;
  deliveriesAcknowledged: number;
  acknowledgedExchanges: number;
  failedExchanges: number;
  replaysSent: number;
  sessionsCompleted: number;
  outcomes: Record<string, number>;
  recovered: number;
  callbacksReceived: number;
  distinctCallbacks: number;
  sandboxGivenUp: number;
  lost: string[];
  resumedTwice: string[];
  doubleCallbacks: string[];
  missingCallbacks: string[];
  badSignatures: number;
  stuck: string[];
  waitingLeft: number;
  errorLogLines: string[];
}

interface DeliveryBody {
  id: string;
  event: { eventType: string; docvTransactionToken?: string };
}

const parseDelivery = (body: string | undefined): DeliveryBody | undefined => {
  try {
    const parsed = JSON.parse(body ?? '') as DeliveryBody;
    return typeof parsed.id === 'string' && parsed.event ? parsed : undefined;
  } catch {
    return undefined;
  }
};

const isWebhook = (e: LbExchange) => e.method === 'POST' && e.path.startsWith('/webhooks/socure/');
const acknowledged = (e: LbExchange) => isWebhook(e) && e.status === 200 && e.complete;

async function runStorm(config: StormConfig): Promise<StormReport> {
  const started = Date.now();
  const logDir = join(INSTANCE_LOG_ROOT, `storm-${config.label}`);
  rmSync(logDir, { recursive: true, force: true });
  const webhookSecret = randomSecret('whs');
  const apiKey = randomSecret('sck_storm');
  const appSecret = generateAppWebhookSecret();

  let receiver: AppWebhookReceiver | undefined;
  let lb: LoadBalancer | undefined;
  let sandbox: SandboxProcess | undefined;
  let store: Store | undefined;
  const instances: ServiceInstance[] = [];
  try {
    // A slow app (150 ms per callback) keeps callbacks in flight when an instance dies.
    receiver = await startAppWebhookReceiver(appSecret, { delayMs: 150 });
    lb = await startLoadBalancer();
    // A little latency on every sandbox answer keeps ID+ calls in flight long enough to be killed mid-step.
    sandbox = await startSandboxProcess({ latency: '100ms', logDir });
    for (const name of config.instances) {
      instances.push(
        new ServiceInstance({
          name,
          databaseUrl: config.databaseUrl,
          publicUrl: lb.url,
          sandboxUrl: sandbox.url,
          webhookSecret,
          apiKey,
          appWebhookUrl: receiver.url,
          appWebhookSecret: appSecret,
          logDir,
        }),
      );
    }
    // The first instance creates the webhook path (and the other shared settings); then the rest.
    const [first, ...rest] = instances;
    await first!.start();
    await Promise.all(rest.map((i) => i.start()));
    for (const i of instances) {
      expect(i.webhookPath, `instance ${i.name} prints the shared webhook path`).toBe(first!.webhookPath);
      lb.add(i.name, i.port);
    }
    const webhookUrl = `${lb.url}/webhooks/socure/${first!.webhookPath}`;
    const subscription = await sandbox.addSubscription({
      url: webhookUrl,
      secret: webhookSecret,
      name: 'storm',
    });
    // Every event is delivered twice with the same id (what a receiver must dedupe).
    await sandbox.setKnobs(subscription, { duplicate: true });
    store = await openStore(config.databaseUrl, { dataEncryptionKeys: testKeysFor(config.databaseUrl) });

    // --- sessions, through the load balancer ---
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, SESSIONS - i) }, (_, j) =>
          createApiSession(lb!.url, apiKey, {
            flow: 'docv-qr',
            customerUserId: `storm-${config.label}-${i + j}`,
          }),
        ),
      );
      ids.push(...batch.map((s) => s.id));
    }
    const tokens = new Map<string, string>();
    await eventually(
      async () => {
        for (const id of ids) {
          if (tokens.has(id)) continue;
          const s = await store!.getSession(id);
          if (s?.status === 'waiting' && s.waitToken) tokens.set(id, s.waitToken);
        }
        return tokens.size === ids.length;
      },
      'every session to wait on a DocV token',
      { timeoutMs: 30_000 },
    );

    // --- the storm ---
    // Rounds: trigger a batch of transactions, then (while their webhooks, ID+ fetches and callbacks are in
    // flight) kill -9 the busiest ready instance, restarting it after a short pause in the background. The
    // load balancer is not drained first: requests in flight die with the process, and it only learns of the
    // death from refused connections (which it retries on another instance).
    const stormDeadline = Date.now() + STORM_BUDGET_MS;
    let kills = 0;
    let restarts = 0;
    const restartsInFlight = new Set<Promise<void>>();
    const failures: unknown[] = [];
    let killedBusy = 0;
    const perRound = Math.ceil(SESSIONS / KILLS);
    let next = 0;
    const triggerNext = async (n: number) => {
      const batch = ids.slice(next, next + n);
      next += batch.length;
      await Promise.all(
        batch.map((id) => sandbox!.trigger(tokens.get(id)!, SCENARIOS[ids.indexOf(id) % SCENARIOS.length])),
      );
    };
    const killer = (async () => {
      while (kills < KILLS && Date.now() < stormDeadline && failures.length === 0) {
        // Always a survivor: never kill the last ready instance (wait, bounded, for a restart instead).
        await eventually(
          () => instances.filter((i) => i.ready).length >= 2 || failures.length > 0,
          'an instance to come back',
          { timeoutMs: Math.max(1_000, stormDeadline - Date.now()), intervalMs: 25, maxIntervalMs: 25 },
        );
        if (failures.length > 0) break;
        await triggerNext(perRound);
        await sleep(rand(10, 200));
        const up = instances.filter((i) => i.ready);
        if (up.length < 2) continue;
        // The busiest of the least-killed instances (so every instance dies, and with work in flight).
        const fewest = Math.min(...up.map((i) => i.kills));
        const candidates = up.filter((i) => i.kills <= fewest + 1);
        const busiest = Math.max(...candidates.map((i) => lb!.inFlight(i.name)));
        const victim = pick(candidates.filter((i) => lb!.inFlight(i.name) === busiest));
        if (busiest > 0) killedBusy += 1;
        await victim.kill9();
        lb!.setUp(victim.name, false);
        kills += 1;
        const restart = (async () => {
          await sleep(rand(200, 600));
          await victim.start();
          lb!.setUp(victim.name, true);
          restarts += 1;
        })().catch((err: unknown) => {
          failures.push(err);
        });
        restartsInFlight.add(restart);
        void restart.finally(() => restartsInFlight.delete(restart));
        await sleep(rand(100, 600));
      }
      await triggerNext(ids.length - next);
      await Promise.all([...restartsInFlight]);
    })();

    // Extra deliveries: replays of acknowledged ones, two at once (same id), and now and then a copy with a
    // fresh id (a duplicate by token + event type).
    const freshIds = new Set<string>();
    let replaysSent = 0;
    let stormOver = false;
    const replays = (async () => {
      while (!stormOver && replaysSent < 400 && Date.now() < stormDeadline) {
        await sleep(rand(150, 450));
        const candidates = lb!.exchanges.filter(acknowledged);
        if (candidates.length === 0) continue;
        const original = pick(candidates).requestBody ?? '';
        const parsed = parseDelivery(original);
        if (!parsed) continue;
        let body = original;
        if (Math.random() < 0.3) {
          const id = `replay-${randomUUID()}`;
          freshIds.add(id);
          body = JSON.stringify({ ...parsed, id });
        }
        const send = () =>
          request(webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: webhookSecret },
            body,
            signal: AbortSignal.timeout(10_000),
          })
            .then((res) => res.body.dump())
            .catch(() => undefined);
        replaysSent += 2;
        await Promise.all([send(), send()]);
      }
    })();

    await killer;
    stormOver = true;
    await replays;
    if (failures.length > 0) throw failures[0];
    const stormMs = Date.now() - started;

    // --- settle: the survivors sweep ---
    const settled = await eventually(
      async () => {
        const rows = await Promise.all(ids.map((id) => store!.getSession(id)));
        const done = rows.every((s) => s?.status === 'completed');
        const byId = receiver!.idsBySession();
        return done && ids.every((id) => (byId.get(id)?.size ?? 0) >= 1);
      },
      'every session completed and called back',
      { timeoutMs: SETTLE_MS, intervalMs: 250, maxIntervalMs: 250 },
    ).catch(() => false);

    // --- count ---
    const rows = new Map<string, SessionRow | undefined>();
    for (const id of ids) rows.set(id, await store.getSession(id));
    const outcomes: Record<string, number> = {};
    let recovered = 0;
    const resumedTwice: string[] = [];
    const doubleCallbacks: string[] = [];
    const missingCallbacks: string[] = [];
    const stuck: string[] = [];
    const callbackIds = receiver.idsBySession();
    for (const id of ids) {
      const row = rows.get(id);
      if (row?.status === 'completed')
        outcomes[row.outcome ?? 'none'] = (outcomes[row.outcome ?? 'none'] ?? 0) + 1;
      else
        stuck.push(
          `${id} ${row?.status} at ${row?.nodeId} (lease ${row?.leaseOwner} until ${row?.leaseUntil})`,
        );
      const timeline = await store.listTimeline(id);
      const perNode = new Map<string, number>();
      for (const e of timeline) {
        if (e.type === 'recovered') recovered += 1;
        if (e.type !== 'resumed') continue;
        const from = String(e.detail.from);
        perNode.set(from, (perNode.get(from) ?? 0) + 1);
      }
      for (const [node, n] of perNode) if (n > 1) resumedTwice.push(`${id} resumed ${n}× at ${node}`);
      const outbound = await store.listOutbound(id);
      const received = callbackIds.get(id)?.size ?? 0;
      if (outbound.length > 1 || received > 1)
        doubleCallbacks.push(
          `${id}: ${outbound.length} outbox rows, ${received} distinct webhook-ids received`,
        );
      if (row?.status === 'completed' && (outbound.length === 0 || received === 0))
        missingCallbacks.push(
          `${id}: ${outbound.length} outbox rows (${outbound.map((o) => o.status)}), ${received} received`,
        );
    }

    const acked = lb.exchanges.filter(acknowledged);
    const ackedIds = new Map<string, DeliveryBody>();
    for (const e of acked) {
      const d = parseDelivery(e.requestBody);
      if (d) ackedIds.set(d.id, d);
    }
    const lost: string[] = [];
    for (const [id, d] of ackedIds) {
      const token = d.event.docvTransactionToken ?? null;
      const found = await store.findDeliveries({ docvTransactionToken: token }, [d.event.eventType]);
      // A copy with a fresh id is acknowledged as a duplicate of its (token, event type): that row must exist.
      const kept = freshIds.has(id) ? found.length > 0 : found.some((f) => f.deliveryId === id);
      if (!kept) lost.push(`${id} ${d.event.eventType} token ${token}`);
    }
    const waitingLeft = (await store.listWaitingSessions(1_000)).filter((s) => ids.includes(s.id)).length;

    const attempts = await sandbox.deliveries(subscription).catch(() => []);
    const finalStatus = new Map<string, string>();
    for (const a of attempts) finalStatus.set(a.deliveryId, a.status);
    const sandboxGivenUp = [...finalStatus.values()].filter((s) => s === 'given_up').length;

    const errorLogLines: string[] = [];
    for (const file of readdirSync(logDir)) {
      for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
        if (/"level":(50|60)/.test(line)) errorLogLines.push(`${file}: ${line.slice(0, 400)}`);
      }
    }

    const killsPerInstance = Object.fromEntries(instances.map((i) => [i.name, i.kills]));
    const report: StormReport = {
      label: config.label,
      durationMs: Date.now() - started,
      kills,
      killsPerInstance,
      killedBusy,
      restarts,
      restartMedianMs: median(instances.flatMap((i) => i.startDurations.slice(1))),
      deliveriesAcknowledged: ackedIds.size,
      acknowledgedExchanges: acked.length,
      failedExchanges: lb.exchanges.filter((e) => isWebhook(e) && !acknowledged(e)).length,
      replaysSent,
      sessionsCompleted: Object.values(outcomes).reduce((a, b) => a + b, 0),
      outcomes,
      recovered,
      callbacksReceived: receiver.callbacks.length,
      distinctCallbacks: new Set(receiver.callbacks.map((c) => c.webhookId)).size,
      sandboxGivenUp,
      lost,
      resumedTwice,
      doubleCallbacks,
      missingCallbacks,
      badSignatures: receiver.callbacks.filter((c) => c.signatureValid === false).length,
      stuck,
      waitingLeft,
      errorLogLines,
    };
    console.log(
      [
        `storm[${config.label}]: ${config.instances.length} instances, ${SESSIONS} sessions, ${report.kills} kill -9 ` +
          `${JSON.stringify(report.killsPerInstance)} (${report.killedBusy} with requests in flight; ${report.restarts} restarts, median ` +
          `${(report.restartMedianMs / 1000).toFixed(1)} s) in ${(stormMs / 1000).toFixed(1)} s; settled: ${settled ? 'yes' : 'NO'} ` +
          `after ${((report.durationMs - stormMs) / 1000).toFixed(1)} s; total ${(report.durationMs / 1000).toFixed(1)} s`,
        `  deliveries acknowledged: ${report.deliveriesAcknowledged} distinct ids (${report.acknowledgedExchanges} 200 answers, ` +
          `${report.failedExchanges} failed/cut attempts, ${report.replaysSent} extra duplicates sent, ` +
          `${freshIds.size} of them with fresh ids); sandbox gave up on ${report.sandboxGivenUp}`,
        `  sessions completed: ${report.sessionsCompleted}/${SESSIONS} ${JSON.stringify(report.outcomes)}; ` +
          `'recovered' after a dead runner: ${report.recovered}`,
        `  app callbacks: ${report.callbacksReceived} received, ${report.distinctCallbacks} distinct webhook-ids, ` +
          `${report.badSignatures} bad signatures`,
        `  lost: ${report.lost.length}, resumed twice: ${report.resumedTwice.length}, two callbacks: ` +
          `${report.doubleCallbacks.length}, missing callbacks: ${report.missingCallbacks.length}, stuck: ` +
          `${report.stuck.length}, still waiting: ${report.waitingLeft}`,
        `  error log lines (level ≥ 50) across instances: ${report.errorLogLines.length}`,
        ...report.errorLogLines.slice(0, 5).map((l) => `    ${l}`),
        ...[
          ...report.lost,
          ...report.resumedTwice,
          ...report.doubleCallbacks,
          ...report.missingCallbacks,
          ...report.stuck,
        ]
          .slice(0, 20)
          .map((l) => `    ${l}`),
        `  logs: ${logDir}`,
      ].join('\n'),
    );
    return report;
  } finally {
    await store?.close().catch(() => undefined);
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    await sandbox?.stop().catch(() => undefined);
    await lb?.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await killAllProcesses();
  }
}

function expectClean(report: StormReport): void {
  expect(report.kills, 'kill -9 count').toBeGreaterThanOrEqual(MIN_KILLS);
  expect(report.deliveriesAcknowledged, 'deliveries acknowledged').toBeGreaterThan(SESSIONS);
  expect(report.lost, 'acknowledged deliveries missing from webhook_inbox').toEqual([]);
  expect(report.resumedTwice, 'sessions resumed twice at the same wait').toEqual([]);
  expect(report.doubleCallbacks, 'sessions with two app callbacks').toEqual([]);
  expect(report.stuck, 'sessions not completed').toEqual([]);
  expect(report.waitingLeft).toBe(0);
  expect(report.missingCallbacks, 'completed sessions whose callback never arrived').toEqual([]);
  expect(report.sessionsCompleted).toBe(SESSIONS);
  expect(report.badSignatures).toBe(0);
}

describe('kill -9 storm: instances behind a load balancer', () => {
  afterEach(async () => {
    await killAllProcesses();
  });
  afterAll(async () => {
    await killAllProcesses();
  });

  it('PostgreSQL, three instances: nothing lost, nothing resumed twice, one callback each, nothing stuck', async () => {
    const db = await testDatabaseUrl('storm');
    try {
      expectClean(await runStorm({ label: 'postgres', databaseUrl: db.url, instances: ['A', 'B', 'C'] }));
    } finally {
      await killAllProcesses();
      await db.drop();
    }
  }, 180_000);

  it('SQLite, two processes on one file: nothing lost, nothing resumed twice, one callback each, nothing stuck', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socure-storm-'));
    try {
      expectClean(
        await runStorm({
          label: 'sqlite',
          databaseUrl: `sqlite:${join(dir, 'storm.db')}`,
          instances: ['A', 'B'],
        }),
      );
    } finally {
      await killAllProcesses();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
