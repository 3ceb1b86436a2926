/**
 * Restart mid-wait: a child process starts a docv-qr session on a database (a SQLite file, or in the postgres
 * project a PostgreSQL database of its own) and exits; this process then opens a fresh store and engine on the
 * same database, as a restarted service would, and carries on.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import { type Flow, loadFlows } from '../../src/flows/index.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import type { SocureClient } from '../../src/socure/index.js';
import type { Store } from '../../src/store/index.js';
import { databaseUrlFor, testKeysFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import {
  FLOWS_DIR,
  newEngine,
  openStore,
  REAL_CAPABILITIES,
  ROOT,
  sandboxClient,
  sandboxContext,
  tempDir,
  timelineCount,
  trigger,
  WebhookReceiver,
} from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/start-docv-session.ts', import.meta.url));

let sb: RunningSandbox;
let receiver: WebhookReceiver;
let client: SocureClient;
let flows: Map<string, Flow>;
let tmp: ReturnType<typeof tempDir>;
let fileNo = 0;
const stores: Store[] = [];

beforeAll(async () => {
  tmp = tempDir('socure-restart-');
  sb = await startSandbox({ port: 0, deliveryRetryBaseMs: 50 });
  receiver = new WebhookReceiver();
  await receiver.start(sb);
  client = sandboxClient(sb);
  flows = await loadFlows(FLOWS_DIR, new Set(Object.keys(capabilities)));
});

afterEach(async () => {
  receiver.engine = undefined;
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await receiver?.close();
  await client?.close();
  await sb?.close();
  tmp?.cleanup();
});

interface Started {
  sessionId: string;
  token: string;
  status: string;
  nodeId: string;
}

/** Runs the fixture in its own Node process, on the database `dbPath` names; bounded at 30 s. */
async function startInChildProcess(dbPath: string, customerUserId: string): Promise<Started> {
  const databaseUrl = await databaseUrlFor(dbPath);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', FIXTURE, databaseUrl, sb.url, sb.keys.sandbox.idPlusKey, customerUserId],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DATA_ENCRYPTION_KEYS: testKeysFor(databaseUrl) ?? '' },
      },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`child exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Started);
      } catch {
        reject(new Error(`child printed no JSON: ${out} ${err}`));
      }
    });
  });
}

/** A fresh store and engine on the database of `dbPath`, as a restarted (or another) instance. */
async function restartedEngine(
  dbPath: string,
  options: { now?: () => number; correlateGraceMs?: number } = {},
) {
  const store = await openStore(dbPath);
  stores.push(store);
  const engine = newEngine({
    store,
    flows,
    capabilities: REAL_CAPABILITIES,
    context: sandboxContext(sb, client),
    ...options,
  });
  return { store, engine };
}

describe('restart mid-wait', () => {
  it('a session started by a process that exited completes in a new process', async () => {
    const dbPath = join(tmp.dir, `restart-${++fileNo}.db`);
    const started = await startInChildProcess(dbPath, 'cu-restart-1');
    expect(started).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
    expect(started.token).toBeTruthy();

    const { store, engine } = await restartedEngine(dbPath);
    receiver.engine = engine;
    await engine.tick();
    expect((await store.getSession(started.sessionId))!).toMatchObject({
      status: 'waiting',
      waitToken: started.token,
    });

    await trigger(sb, started.token, 'complete-accept');
    await eventually(
      async () => (await store.getSession(started.sessionId))?.status === 'completed',
      'the session to complete',
    );
    const session = (await store.getSession(started.sessionId))!;
    const data = (await store.getSessionData(started.sessionId))!;
    expect(session.outcome).toBe('verified');
    expect(data.result).toMatchObject({ decision: 'accept', docvTransactionToken: started.token });
    expect(await timelineCount(store, started.sessionId, 'resumed')).toBe(1);
    await eventually(
      () => receiver.forToken(started.token).some((r) => r.eventType === 'SESSION_COMPLETE'),
      'SESSION_COMPLETE',
    );
  });

  it('deliveries refused while the service was down are retried by Socure and resume the session after restart', async () => {
    const dbPath = join(tmp.dir, `restart-${++fileNo}.db`);
    const started = await startInChildProcess(dbPath, 'cu-restart-2');
    receiver.engine = undefined; // down: the receiver answers 500
    const refusedBefore = receiver.refusedFor(started.token).length;
    await trigger(sb, started.token, 'complete-accept');
    // Socure keeps trying this transaction's deliveries (in order, each with backoff): an attempt made while
    // the service is down reaches it and is refused…
    await eventually(
      () => receiver.refusedFor(started.token).length > refusedBefore,
      'a delivery attempt refused while the service is down',
    );
    // …and leaves nothing behind: nothing committed, the session still waiting on its token, never resumed.
    expect(receiver.forToken(started.token)).toEqual([]);

    const { store, engine } = await restartedEngine(dbPath);
    expect((await store.getSession(started.sessionId))!).toMatchObject({
      status: 'waiting',
      waitToken: started.token,
    });
    expect(await timelineCount(store, started.sessionId, 'resumed')).toBe(0);
    await engine.tick();
    receiver.engine = engine;
    await eventually(
      async () => (await store.getSession(started.sessionId))?.status === 'completed',
      'the session to complete',
      {
        timeoutMs: 15_000,
      },
    );
    expect((await store.getSession(started.sessionId))!.outcome).toBe('verified');
    expect(await timelineCount(store, started.sessionId, 'resumed')).toBe(1);
    await eventually(
      () => receiver.forToken(started.token).some((r) => r.eventType === 'SESSION_COMPLETE'),
      'SESSION_COMPLETE',
      {
        timeoutMs: 15_000,
      },
    );
    // The results of the capture finished while the service was down reached it after the restart.
    expect(receiver.forToken(started.token).map((r) => r.eventType)).toEqual(
      expect.arrayContaining(['VERIFICATION_COMPLETED', 'SESSION_COMPLETE']),
    );
  });

  it('a delivery committed but not correlated before the crash is consumed by the first tick after the grace', async () => {
    const dbPath = join(tmp.dir, `restart-${++fileNo}.db`);
    const started = await startInChildProcess(dbPath, 'cu-restart-3');
    // An instance commits the deliveries and dies before resuming anything (its grace: one minute).
    const { engine: dying } = await restartedEngine(dbPath, { correlateGraceMs: 60_000 });
    receiver.engine = dying;
    receiver.correlate = false;
    try {
      await trigger(sb, started.token, 'complete-accept');
      await eventually(
        () => receiver.forToken(started.token).some((r) => r.eventType === 'SESSION_COMPLETE'),
        'SESSION_COMPLETE',
      );
    } finally {
      receiver.correlate = true;
      receiver.engine = undefined;
    }
    // Within the receiver's grace the deliveries are left to it; the restarted instance runs after it.
    const { store: early, engine: tooEarly } = await restartedEngine(dbPath);
    await tooEarly.tick();
    expect((await early.getSession(started.sessionId))!.status).toBe('waiting');
    const { store, engine } = await restartedEngine(dbPath, { now: () => Date.now() + 61_000 });
    expect((await store.getSession(started.sessionId))!.status).toBe('waiting');
    await engine.tick();
    const session = (await store.getSession(started.sessionId))!;
    expect(session).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(await timelineCount(store, started.sessionId, 'resumed')).toBe(1);
  });

  it('a timeout that came due while the process was down fires on the first tick after restart', async () => {
    const dbPath = join(tmp.dir, `restart-${++fileNo}.db`);
    const started = await startInChildProcess(dbPath, 'cu-restart-4');
    const { store: before } = await restartedEngine(dbPath);
    const wakeAt = (await before.getSession(started.sessionId))!.wakeAt!;
    expect(wakeAt).toBeGreaterThan(Date.now());

    // The new process starts 31 minutes later: the 30-minute wait is overdue.
    const later = wakeAt + 60_000;
    const { store, engine } = await restartedEngine(dbPath, { now: () => later });
    await engine.tick();
    const session = (await store.getSession(started.sessionId))!;
    expect(session).toMatchObject({ status: 'completed', outcome: 'expired', nodeId: 'timedOut' });
    expect((await store.getSessionData(started.sessionId))!.result).toEqual({
      reason: 'timeout',
      docvTransactionToken: started.token,
    });
    expect(await timelineCount(store, started.sessionId, 'timeout')).toBe(1);
  });
});
