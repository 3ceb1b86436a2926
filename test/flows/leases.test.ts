/**
 * Many instances on one database: two engines, each with its own store object opened on the SAME database
 * (SQLite file, or in the postgres project one PostgreSQL database), a shared manual clock and fake
 * capabilities (one fake per instance, so a test sees which instance made a billed call).
 *
 * Lease renewal runs on a real-time interval (every leaseMs / 3) and computes the new end from the engine's
 * clock. With a manual clock a renewal therefore re-extends the lease to `clock + leaseMs` whenever it fires:
 * a test that needs a runner whose renewals have stopped (a paused or partitioned instance) either uses a
 * leaseMs whose interval cannot fire during the test, or makes that instance's renewals fail.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineOptions, Flow } from '../../src/flows/index.js';
import type { NewOutbound, SessionRow, Store } from '../../src/store/index.js';
import { eventually } from '../support/eventually.js';
import {
  delivery,
  type FakeCapability,
  fakeCapability,
  gate,
  inlineFlow,
  manualClock,
  newEngine,
  openStore,
  tempDir,
  timelineCount,
} from './support.js';

let tmp: ReturnType<typeof tempDir>;
let fileNo = 0;
const stores: Store[] = [];

beforeAll(() => {
  tmp = tempDir('socure-leases-');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => tmp.cleanup());

type Caps = Record<string, FakeCapability>;
type InstanceOptions = Partial<Omit<EngineOptions, 'store' | 'flows' | 'capabilities' | 'now'>>;

/**
 * Instances A and B: two store objects on one database, one engine each, one manual clock. `caps(name)` gives
 * an instance its capabilities.
 */
async function twoInstances(
  flows: Flow[],
  caps: (instance: 'A' | 'B') => Caps,
  options: { A?: InstanceOptions; B?: InstanceOptions; both?: InstanceOptions } = {},
) {
  const path = join(tmp.dir, `leases-${++fileNo}.db`);
  const storeA = await openStore(path);
  stores.push(storeA);
  const storeB = await openStore(path);
  stores.push(storeB);
  const clock = manualClock();
  const flowMap = new Map(flows.map((f) => [f.id, f]));
  const capsA = caps('A');
  const capsB = caps('B');
  const A = newEngine({
    store: storeA,
    flows: flowMap,
    capabilities: capsA,
    now: clock.now,
    instanceId: 'A',
    ...options.both,
    ...options.A,
  });
  const B = newEngine({
    store: storeB,
    flows: flowMap,
    capabilities: capsB,
    now: clock.now,
    instanceId: 'B',
    ...options.both,
    ...options.B,
  });
  return { A, B, storeA, storeB, clock, capsA, capsB };
}

/** Timeline entry types of a session, in order. */
async function types(store: Store, id: string): Promise<string[]> {
  return (await store.listTimeline(id)).map((e) => e.type);
}

/** capability (opens a challenge) → wait → capability → end, or → timeout capability → end. */
function waitFlow(): Flow {
  return inlineFlow(
    'wait-flow',
    'open',
    {
      open: { type: 'capability', capability: 'open', next: 'prompt' },
      prompt: {
        type: 'wait',
        title: 'Waiting',
        challenge: { docvTransactionToken: '{{open.token}}' },
        events: ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE'],
        timeout: '10m',
        branches: { resolved: 'after', timeout: 'onTimeout' },
      },
      after: { type: 'capability', capability: 'after', input: { id: '{{session.id}}' }, next: 'done' },
      onTimeout: {
        type: 'capability',
        capability: 'onTimeout',
        input: { id: '{{session.id}}' },
        next: 'late',
      },
      done: { type: 'end', outcome: 'verified', title: 'Done', result: { by: '{{after.by}}' } },
      late: { type: 'end', outcome: 'expired', title: 'Too late', result: { by: '{{onTimeout.by}}' } },
    },
    ['open', 'after', 'onTimeout'],
  );
}

function waitCaps(instance: 'A' | 'B'): Caps {
  return {
    open: fakeCapability('open', () => ({ token: `tok-${randomUUID()}` })),
    after: fakeCapability('after', () => ({ by: instance })),
    onTimeout: fakeCapability('onTimeout', () => ({ by: instance })),
  };
}

async function tokenOf(store: Store, id: string): Promise<string> {
  return ((await store.getSessionData(id))!.outputs.open as { token: string }).token;
}

const calls = (...fakes: Array<FakeCapability | undefined>) =>
  fakes.reduce((n, fake) => n + (fake?.calls.length ?? 0), 0);

describe('leases: a billed step runs once per live lease', () => {
  it('B does not take A’s live lease (even after the clock passes its first end, as A renews it); once A’s renewals stop and the lease expires B runs the step again, and A’s late commit is refused', async () => {
    const leaseMs = 1_500; // renewed every 500 ms of real time
    const aCall = gate();
    const flow = inlineFlow(
      'billed',
      'bill',
      {
        bill: { type: 'capability', capability: 'bill', input: { id: '{{session.id}}' }, next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done', result: { by: '{{bill.by}}' } },
      },
      ['bill'],
    );
    const { A, B, storeA, storeB, clock, capsA, capsB } = await twoInstances(
      [flow],
      (instance) => ({
        bill: fakeCapability('bill', async () => {
          if (instance === 'A') await aCall.promise;
          return { by: instance };
        }),
      }),
      { both: { leaseMs } },
    );
    const billA = capsA.bill!;
    const billB = capsB.bill!;
    const t0 = clock.now();
    const starting = A.start({ flowId: 'billed' });
    await eventually(() => billA.calls.length === 1, 'A’s billed call to start');
    const id = (billA.calls[0] as { id: string }).id;
    expect((await storeB.getSession(id))!).toMatchObject({
      status: 'running',
      nodeId: 'bill',
      leaseOwner: expect.stringMatching(/^A:[0-9a-f]{8}:\d+$/),
      leaseUntil: t0 + leaseMs,
    });

    // A's call is in flight and its lease is live: B's sweep and an explicit run leave it alone.
    await B.tick();
    await B.run(id);
    expect(calls(billA, billB)).toBe(1);

    // The clock passes the lease's first end while the call is still in flight: A's renewal extends it.
    clock.advance(2 * leaseMs);
    await eventually(
      async () => (await storeB.getSession(id))!.leaseUntil === clock.now() + leaseMs,
      'A to renew its lease',
      { timeoutMs: 3_000 },
    );
    expect((await storeB.getSession(id))!.leaseOwner).toMatch(/^A:[0-9a-f]{8}:\d+$/);
    await B.tick();
    expect(billB.calls).toHaveLength(0);
    expect((await storeB.getSession(id))!).toMatchObject({
      status: 'running',
      leaseOwner: expect.stringMatching(/^A:/),
    });

    // A stops renewing (paused, or cut off from the database); its call is still blocked. Once its lease
    // has expired, B's sweep takes the session over and runs the step again: the only second call.
    const renewals = vi.spyOn(storeA, 'acquireLease').mockResolvedValue(undefined);
    const commitsA = vi.spyOn(storeA, 'commitStep');
    await eventually(() => renewals.mock.calls.length > 0, 'A to try to renew (and fail)', {
      timeoutMs: 3_000,
    });
    clock.advance(leaseMs - 1);
    await B.tick();
    expect(billB.calls).toHaveLength(0); // not yet expired
    clock.advance(1);
    await B.tick();
    expect(billB.calls).toHaveLength(1);
    const done = (await storeB.getSession(id))!;
    expect(done).toMatchObject({ status: 'completed', outcome: 'verified', leaseOwner: null });
    expect((await storeB.getSessionData(id))!.result).toEqual({ by: 'B' });

    // A's call returns late: its commit (the stale version, another runner's step) is refused.
    aCall.open();
    const fromA = await starting;
    expect(fromA).toMatchObject({ id, status: 'completed', outcome: 'verified', version: done.version });
    expect(commitsA).toHaveBeenCalledTimes(1);
    await expect(commitsA.mock.results[0]!.value).resolves.toBeUndefined();
    expect(calls(billA, billB)).toBe(2);
    expect(await types(storeA, id)).toEqual(['created', 'recovered', 'step', 'completed']);
    expect((await storeA.getSession(id))!.version).toBe(done.version);
    expect((await storeA.getSessionData(id))!).toMatchObject({
      outputs: { bill: { by: 'B' } },
      result: { by: 'B' },
    });
  });
});

describe('leases: deliveries', () => {
  it('duplicate and concurrent deliveries correlated on both instances at once resume a waiting session once', async () => {
    const { A, B, storeA, storeB, capsA, capsB } = await twoInstances([waitFlow()], waitCaps);
    const session = await A.start({ flowId: 'wait-flow' });
    expect(session.status).toBe('waiting');
    const token = await tokenOf(storeA, session.id);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    // Socure's retry of it, and another resolving event of the same transaction.
    const retry = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    const other = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: token });
    expect((await A.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    expect((await B.receive(d.delivery, d.rawBody)).status).toBe('duplicate');
    expect((await B.receive(retry.delivery, retry.rawBody)).status).toBe('duplicate');
    expect((await B.receive(other.delivery, other.rawBody)).status).toBe('inserted');

    await Promise.all([
      ...Array.from({ length: 10 }, () => [A.correlate(d.delivery), B.correlate(d.delivery)]).flat(),
      A.correlate(other.delivery),
      B.correlate(other.delivery),
    ]);
    expect(calls(capsA.after, capsB.after)).toBe(1);
    expect(await timelineCount(storeB, session.id, 'resumed')).toBe(1);
    expect(await timelineCount(storeB, session.id, 'completed')).toBe(1);
    expect(await types(storeB, session.id)).toEqual([
      'created',
      'step',
      'waiting',
      'resumed',
      'step',
      'completed',
    ]);
    expect((await storeB.getSession(session.id))!).toMatchObject({
      status: 'completed',
      outcome: 'verified',
    });
  });

  it('a delivery received by A, which dies before correlating it, is correlated by B’s sweep once the grace passes, not before', async () => {
    const { A, B, storeB, clock, capsA, capsB } = await twoInstances([waitFlow()], waitCaps, {
      A: { correlateGraceMs: 2_000 }, // the receiver's grace is what counts (B's is the default 5 s)
    });
    const session = await A.start({ flowId: 'wait-flow' });
    const token = await tokenOf(storeB, session.id);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    expect((await A.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    // A "dies" here: it never calls correlate(), and never ticks again.

    clock.advance(1_999);
    await B.tick();
    expect((await storeB.getSession(session.id))!).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
    expect(calls(capsA.after, capsB.after)).toBe(0);

    clock.advance(1);
    await B.tick();
    expect((await storeB.getSession(session.id))!).toMatchObject({
      status: 'completed',
      outcome: 'verified',
    });
    expect((await storeB.getSessionData(session.id))!.result).toEqual({ by: 'B' });
    expect(await timelineCount(storeB, session.id, 'resumed')).toBe(1);
    const [row] = await storeB.findDeliveries({ docvTransactionToken: token }, ['VERIFICATION_COMPLETED']);
    expect(row?.consumedBy).toBe(session.id);

    // Consumed: no later sweep takes it again.
    clock.advance(60_000);
    await B.tick();
    expect(calls(capsA.after, capsB.after)).toBe(1);
    expect(await timelineCount(storeB, session.id, 'resumed')).toBe(1);
  });

  it('a delivery correlated by B’s sweep and then, late, by its receiver A resumes one wait, not the next one too', async () => {
    // Two waits on the same transaction: the second must wait for a new delivery (as docv-qr's second fetch does).
    const flow = inlineFlow(
      'two-waits',
      'first',
      {
        first: {
          type: 'wait',
          title: 'First',
          challenge: { docvTransactionToken: 'tok-two-waits' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '10m',
          branches: { resolved: 'between', timeout: 'timedOut' },
        },
        between: { type: 'capability', capability: 'between', next: 'second' },
        second: {
          type: 'wait',
          title: 'Second',
          challenge: { docvTransactionToken: 'tok-two-waits' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '10m',
          branches: { resolved: 'done', timeout: 'timedOut' },
        },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
        timedOut: { type: 'end', outcome: 'expired', title: 'Timed out' },
      },
      ['between'],
    );
    const { A, B, storeB, clock } = await twoInstances([flow], () => ({
      between: fakeCapability('between'),
    }));
    const session = await A.start({ flowId: 'two-waits' });
    expect(session).toMatchObject({ status: 'waiting', nodeId: 'first' });
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-two-waits' });
    expect((await A.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    // A is slow to correlate it (a long pause): past the grace, B's sweep does it.
    clock.advance(5_000);
    await B.tick();
    expect((await storeB.getSession(session.id))!).toMatchObject({ status: 'waiting', nodeId: 'second' });
    // A's correlate finally runs: the delivery was consumed by the first wait and must not resolve the second.
    await A.correlate(d.delivery);
    expect((await storeB.getSession(session.id))!).toMatchObject({ status: 'waiting', nodeId: 'second' });
    expect(await timelineCount(storeB, session.id, 'resumed')).toBe(1);
  });
});

describe('leases: sweeps on both instances at once', () => {
  it('due timeouts ticked by both instances at once fire exactly once per session', async () => {
    const { A, B, storeA, storeB, clock, capsA, capsB } = await twoInstances([waitFlow()], waitCaps);
    const sessions: SessionRow[] = [];
    for (let i = 0; i < 10; i++) sessions.push(await (i % 2 === 0 ? A : B).start({ flowId: 'wait-flow' }));
    expect(sessions.every((s) => s.status === 'waiting')).toBe(true);

    clock.advance(10 * 60_000 - 1);
    await Promise.all([A.tick(), B.tick()]);
    expect(calls(capsA.onTimeout, capsB.onTimeout)).toBe(0);

    clock.advance(1);
    for (let round = 0; round < 4; round++) await Promise.all([A.tick(), B.tick(), A.tick(), B.tick()]);
    const fired = [...capsA.onTimeout!.calls, ...capsB.onTimeout!.calls].map((c) => (c as { id: string }).id);
    expect(fired.sort()).toEqual(sessions.map((s) => s.id).sort());
    for (const s of sessions) {
      expect((await storeA.getSession(s.id))!).toMatchObject({
        status: 'completed',
        outcome: 'expired',
        leaseOwner: null,
      });
      expect(await timelineCount(storeB, s.id, 'timeout')).toBe(1);
      expect(await timelineCount(storeB, s.id, 'completed')).toBe(1);
    }
  });

  it('sessions completed on both instances at once with a completionCallback each have exactly one outbound row', async () => {
    const flow = inlineFlow(
      'form-end',
      'form',
      {
        form: { type: 'screen', title: 'Form', fields: [{ name: 'x', label: 'X' }], next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done', result: { x: '{{form.x}}' } },
      },
      [],
    );
    const queued = { A: 0, B: 0 };
    const callback = (instance: 'A' | 'B'): EngineOptions['completionCallback'] => ({
      build: (session: SessionRow, result: Record<string, unknown>): NewOutbound => ({
        id: randomUUID(),
        sessionId: session.id,
        url: 'https://app.example.com/hook',
        body: JSON.stringify({ id: session.id, outcome: session.outcome, result, by: instance }),
        nextAttemptAt: 0,
      }),
      queued: () => {
        queued[instance] += 1;
      },
    });
    const { A, B, storeA, storeB, clock } = await twoInstances([{ ...flow, ttl: 60_000 }], () => ({}), {
      A: { completionCallback: callback('A') },
      B: { completionCallback: callback('B') },
    });
    const started: SessionRow[] = [];
    for (let i = 0; i < 20; i++) started.push(await (i % 2 === 0 ? A : B).start({ flowId: 'form-end' }));
    expect(started.every((s) => s.status === 'input')).toBe(true);

    // Every session is submitted on both instances while both sweep it as past its time to live: each ends
    // once (verified or expired), by whichever commit wins.
    clock.advance(60_000);
    await Promise.all([
      ...started.flatMap((s, i) => [
        A.submit(s.id, 'form', { x: `${i}` }),
        B.submit(s.id, 'form', { x: `${i}` }),
      ]),
      A.tick(),
      B.tick(),
    ]);
    await Promise.all([A.tick(), B.tick()]);

    expect(queued.A + queued.B).toBe(20);
    for (const s of started) {
      const session = (await storeA.getSession(s.id))!;
      expect(session.status).toBe('completed');
      expect(await timelineCount(storeA, s.id, 'completed')).toBe(1);
      const rows = await storeB.listOutbound(s.id);
      expect(rows).toHaveLength(1);
      const body = JSON.parse(rows[0]!.body) as { id: string; outcome: string; result: unknown };
      expect(body).toMatchObject({ id: s.id, outcome: session.outcome });
      expect(body.result).toEqual((await storeB.getSessionData(s.id))!.result);
    }
  });

  it('a completion whose callback cannot be committed is not committed either (one transaction)', async () => {
    const flow = inlineFlow(
      'form-end',
      'form',
      {
        form: { type: 'screen', title: 'Form', fields: [{ name: 'x', label: 'X' }], next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      [],
    );
    let queued = 0;
    const { A, storeB } = await twoInstances([flow], () => ({}), {
      both: {
        completionCallback: {
          // The same outbound id every time: the second session's row breaks the key.
          build: (session) => ({
            id: 'same-id',
            sessionId: session.id,
            url: 'https://x',
            body: '{}',
            nextAttemptAt: 0,
          }),
          queued: () => {
            queued += 1;
          },
        },
      },
    });
    const first = await A.start({ flowId: 'form-end' });
    const second = await A.start({ flowId: 'form-end' });
    await A.submit(first.id, 'form', {});
    expect((await storeB.getSession(first.id))!.status).toBe('completed');
    await expect(A.submit(second.id, 'form', {})).rejects.toThrow();
    expect((await storeB.getSession(second.id))!).toMatchObject({ status: 'running', outcome: null });
    expect(await timelineCount(storeB, second.id, 'completed')).toBe(0);
    expect((await storeB.getSessionData(second.id))!.result).toBeNull();
    expect(await storeB.listOutbound(second.id)).toEqual([]);
    expect(queued).toBe(1);
  });
});

describe('leases: time to live', () => {
  it('an expired session whose runner holds a live lease is not expired until the step commits or the lease expires', async () => {
    // leaseMs 2 min: renewals (every 40 s of real time) never fire here, so the manual clock alone decides.
    const leaseMs = 120_000;
    // A's two calls (one per session, in call order) block until the test opens their gate; B's answer at once.
    const pending = [gate(), gate()];
    const flow = inlineFlow(
      'slow-form',
      'slow',
      {
        slow: { type: 'capability', capability: 'slow', input: { id: '{{session.id}}' }, next: 'form' },
        form: { type: 'screen', title: 'Form', next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      ['slow'],
    );
    const { A, B, storeB, clock, capsA, capsB } = await twoInstances(
      [{ ...flow, ttl: 60_000 }],
      (instance) => ({
        slow: fakeCapability('slow', async (_input, call) => {
          if (instance === 'A') await pending[call - 1]!.promise;
          return { by: instance };
        }),
      }),
      { both: { leaseMs } },
    );
    // Two sessions, both in A's billed call.
    const slowA = capsA.slow!;
    const runs = [A.start({ flowId: 'slow-form' })];
    await eventually(() => slowA.calls.length === 1, 'A’s first call to start');
    runs.push(A.start({ flowId: 'slow-form' }));
    await eventually(() => slowA.calls.length === 2, 'A’s second call to start');
    const [one, two] = slowA.calls.map((c) => (c as { id: string }).id) as [string, string];

    clock.advance(61_000); // past the ttl (60 s), inside the lease (120 s)
    await Promise.all([B.tick(), A.tick()]);
    for (const id of [one, two]) {
      expect((await storeB.getSession(id))!).toMatchObject({
        status: 'running',
        nodeId: 'slow',
        outcome: null,
      });
    }

    // The first step commits (its session parks at the form, the lease given back): now it expires.
    pending[0]!.open();
    expect(await runs[0]).toMatchObject({ id: one, status: 'input', nodeId: 'form', leaseOwner: null });
    await B.tick();
    expect((await storeB.getSession(one))!).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect((await storeB.getSessionData(one))!.result).toEqual({ reason: 'session_expired' });
    expect((await storeB.getSession(two))!).toMatchObject({ status: 'running', nodeId: 'slow' });

    // The second runner never commits; once its lease has expired the session ends as expired.
    clock.advance(leaseMs - 61_000 - 1);
    await B.tick();
    expect((await storeB.getSession(two))!).toMatchObject({ status: 'running', nodeId: 'slow' });
    clock.advance(1);
    await B.tick();
    expect((await storeB.getSession(two))!).toMatchObject({ status: 'completed', outcome: 'expired' });
    // A's call returns at last: its commit is refused, the session stays expired.
    pending[1]!.open();
    await runs[1];
    expect((await storeB.getSession(two))!).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect(await timelineCount(storeB, two, 'completed')).toBe(1);
    // B touched only the session it took over. (Today its sweep recovers that stalled session, re-running the
    // billed step, before the ttl sweep ends it: see the report on `tick()`'s order; not asserted here.)
    expect(capsB.slow!.calls.every((c) => (c as { id: string }).id === two)).toBe(true);
  });
});
