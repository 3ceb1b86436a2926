/**
 * Findings of the hardening review that live in the engine: a restarted instance resumes what it left
 * mid-step at once; transient Socure failures of a result fetch are retried durably; an unauthenticated
 * delivery never decides an outcome by itself.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../src/flows/index.js';
import { SocureBadRequestError, SocureConnectionError, SocureServerError } from '../../src/socure/index.js';
import type { Store } from '../../src/store/index.js';
import { buildTestDelivery, parseDelivery } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import {
  type FakeCapability,
  fakeCapability,
  gate,
  inlineFlow,
  manualClock,
  newEngine,
  useTestStores,
} from './support.js';

const { store } = useTestStores('hardening');

const flowMap = (...flows: Flow[]) => new Map(flows.map((f) => [f.id, f]));

/** open (a capability) → wait → fetch (a result fetch: a wait leads to it) → end; `openNode` adds to `open`. */
function fetchFlow(openNode: Record<string, unknown> = {}, id = 'fetch-flow') {
  return inlineFlow(
    id,
    'open',
    {
      open: {
        type: 'capability',
        capability: 'open',
        input: { id: '{{session.id}}' },
        next: 'prompt',
        onError: 'broken',
        ...openNode,
      },
      prompt: {
        type: 'wait',
        title: 'Scan the code',
        challenge: { docvTransactionToken: '{{open.token}}' },
        events: ['VERIFICATION_COMPLETED'],
        timeout: '30m',
        branches: { resolved: 'fetch', timeout: 'timedOut', declined: 'declined' },
      },
      fetch: {
        type: 'capability',
        capability: 'fetch',
        input: {},
        next: 'done',
        onError: 'broken',
      },
      done: { type: 'end', outcome: 'verified', title: 'Done', result: { decision: '{{fetch.decision}}' } },
      broken: { type: 'end', outcome: 'failed', title: 'Broken', result: { error: '{{fetch.error.kind}}' } },
      declined: { type: 'end', outcome: 'failed', title: 'Declined', result: { reason: 'consent_declined' } },
      timedOut: { type: 'end', outcome: 'expired', title: 'Timed out', result: {} },
    },
    ['open', 'fetch'],
  );
}

const open = () => fakeCapability('open', () => ({ token: `tok-${randomUUID()}` }));

/** A webhook delivery for the token, as the route would pass it (authenticated or not). */
function deliveryFor(
  token: string,
  eventType: 'VERIFICATION_COMPLETED' | 'CONSENT_DECLINED',
  authenticated = true,
) {
  const rawBody = JSON.stringify(buildTestDelivery({ eventType, docvTransactionToken: token }));
  return { delivery: parseDelivery(rawBody, authenticated), rawBody };
}

/** An engine on the fetch flow with these capabilities (and a manual clock, an instance id). */
function fetchEngine(
  s: Store,
  capabilities: { open: FakeCapability; fetch: FakeCapability },
  now?: () => number,
  instanceId?: string,
) {
  return newEngine({ store: s, flows: flowMap(fetchFlow()), capabilities, now, instanceId });
}

async function tokenOf(s: Store, sessionId: string): Promise<string> {
  return ((await s.getSessionData(sessionId))!.outputs.open as { token: string }).token;
}

describe('finding 1: a restarted instance resumes what it left mid-step at once', () => {
  it('the same instance id takes its previous life’s session on its first sweep; another instance waits for the lease', async () => {
    const s = await store();
    const clock = manualClock();
    const hang = gate();
    const running: string[] = [];
    let calls = 0;
    const slow = fakeCapability('open', async (input) => {
      calls += 1;
      running.push(String(input.id));
      if (calls === 1) await hang.promise; // the first process "dies" in this call
      return { token: `tok-${randomUUID()}` };
    });
    const first = fetchEngine(s, { open: slow, fetch: open() }, clock.now, 'web-1');
    const started = first.start({ flowId: 'fetch-flow' });
    const id = await eventually(() => running[0], 'the first run to be in its step');
    expect((await s.getSession(id))!.leaseOwner).toMatch(/^web-1:[0-9a-f]{8}:\d+$/);

    // Another live instance leaves a live lease alone, and so does the same process on its own later sweeps.
    const other = fetchEngine(s, { open: slow, fetch: open() }, clock.now, 'web-2');
    await other.tick();
    await first.tick();
    await first.tick();
    expect(calls).toBe(1);
    expect((await s.getSession(id))!.status).toBe('running');

    // The restarted process (same instance id, a new boot): its first sweep re-runs the step, no clock advance.
    const restarted = fetchEngine(s, { open: slow, fetch: open() }, clock.now, 'web-1');
    await restarted.tick();
    expect(calls).toBe(2);
    expect(await s.getSession(id)).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
    const timeline = (await s.listTimeline(id)).map((e) => e.type);
    expect(timeline).toContain('recovered');

    // The dead run's late commit is refused: it lost the lease.
    hang.open();
    await started;
    expect(await s.getSession(id)).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
    expect(calls).toBe(2);
  });
});

describe('a session whose runner died and whose time to live passed', () => {
  it('ends as expired on the next sweep; the dead runner’s step is not run again', async () => {
    const s = await store();
    const clock = manualClock();
    const hang = gate();
    const running: string[] = [];
    const slow = fakeCapability('open', async (input) => {
      running.push(String(input.id));
      await hang.promise;
      return { token: `tok-${randomUUID()}` };
    });
    const dead = fetchEngine(s, { open: slow, fetch: open() }, clock.now);
    const started = dead.start({ flowId: 'fetch-flow' });
    const id = await eventually(() => running[0], 'the step to start');
    clock.advance(2 * 3_600_000); // past the 30 s lease and the flow's 1 h time to live
    const survivor = fetchEngine(s, { open: slow, fetch: open() }, clock.now);
    await survivor.tick();
    expect(await s.getSession(id)).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect((await s.listTimeline(id)).map((e) => e.type)).not.toContain('recovered');
    hang.open();
    await started;
    expect(await s.getSession(id)).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect(running).toHaveLength(1);
  });
});

describe('finding 2: transient failures of a result fetch are retried durably', () => {
  it('a 5xx then a connection error are retried with backoff while the session waits, then it completes', async () => {
    const s = await store();
    const clock = manualClock();
    const failures = [
      new SocureServerError('Socure answered 500', { status: 500 }),
      new SocureConnectionError('Could not reach Socure (UND_ERR_SOCKET)'),
    ];
    const fetch = fakeCapability('fetch', () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return { decision: 'accept' };
    });
    const engine = fetchEngine(s, { open: open(), fetch }, clock.now);
    const started = await engine.start({ flowId: 'fetch-flow' });
    const resolved = deliveryFor(await tokenOf(s, started.id), 'VERIFICATION_COMPLETED');
    await engine.receive(resolved.delivery, resolved.rawBody);
    await engine.correlate(resolved.delivery);

    const parked = (await s.getSession(started.id))!;
    expect(parked).toMatchObject({ status: 'waiting', nodeId: 'fetch', leaseOwner: null });
    // First retry after 2.5–5 s (equal jitter of 5 s).
    expect(parked.wakeAt! - clock.now()).toBeGreaterThanOrEqual(2_500);
    expect(parked.wakeAt! - clock.now()).toBeLessThanOrEqual(5_000);
    await engine.tick();
    expect(fetch.calls).toHaveLength(1); // not due yet

    clock.set(parked.wakeAt!);
    await engine.tick();
    expect(fetch.calls).toHaveLength(2);
    const again = (await s.getSession(started.id))!;
    expect(again).toMatchObject({ status: 'waiting', nodeId: 'fetch' });
    expect(again.wakeAt! - clock.now()).toBeGreaterThanOrEqual(5_000); // second retry: 5–10 s

    clock.set(again.wakeAt!);
    await engine.tick();
    expect(await s.getSession(started.id)).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect((await s.getSessionData(started.id))!.result).toEqual({ decision: 'accept' });
    const retries = (await s.listTimeline(started.id)).filter((e) => e.type === 'retry_scheduled');
    expect(retries.map((e) => [e.detail.attempt, e.detail.kind, e.detail.status])).toEqual([
      [1, 'SocureServerError', 500],
      [2, 'SocureConnectionError', undefined],
    ]);
  });

  it('gives up after the retry window (default 10 minutes for a result fetch) and takes onError', async () => {
    const s = await store();
    const clock = manualClock();
    const fetch = fakeCapability('fetch', () => {
      throw new SocureServerError('Socure answered 503', { status: 503 });
    });
    const engine = fetchEngine(s, { open: open(), fetch }, clock.now);
    const started = await engine.start({ flowId: 'fetch-flow' });
    const resolved = deliveryFor(await tokenOf(s, started.id), 'VERIFICATION_COMPLETED');
    await engine.receive(resolved.delivery, resolved.rawBody);
    await engine.correlate(resolved.delivery);
    const firstFailure = clock.now();
    for (let i = 0; i < 100; i++) {
      const session = (await s.getSession(started.id))!;
      if (session.status === 'completed') break;
      clock.set(session.wakeAt!);
      await engine.tick();
    }
    expect(await s.getSession(started.id)).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      nodeId: 'broken',
    });
    expect((await s.getSessionData(started.id))!.result).toEqual({ error: 'SocureServerError' });
    // Retried for (about) ten minutes, never past them: backoff is capped at 60 s.
    expect(clock.now() - firstFailure).toBeGreaterThan(9 * 60_000);
    expect(clock.now() - firstFailure).toBeLessThanOrEqual(10 * 60_000);
    expect(fetch.calls.length).toBeGreaterThan(10);
  });

  it('a final error (400) is not retried, and neither is a step no wait leads to unless it sets retryFor', async () => {
    const s = await store();
    const clock = manualClock();
    const fetch = fakeCapability('fetch', () => {
      throw new SocureBadRequestError('Socure answered 400', { status: 400 });
    });
    const failingOpen = fakeCapability('open', () => {
      throw new SocureServerError('Socure answered 500', { status: 500 });
    });
    const engine = fetchEngine(s, { open: failingOpen, fetch }, clock.now);
    // `open` is the first step (no wait leads to it): a 500 takes onError at once.
    const first = await engine.start({ flowId: 'fetch-flow' });
    expect(first).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect(failingOpen.calls).toHaveLength(1);

    // With retryFor it is retried too.
    const retrying = newEngine({
      store: s,
      flows: flowMap(fetchFlow({ retryFor: '30s' }, 'retry-open')),
      capabilities: { open: failingOpen, fetch },
      now: clock.now,
    });
    const second = await retrying.start({ flowId: 'retry-open' });
    expect(second).toMatchObject({ status: 'waiting', nodeId: 'open' });

    // A 400 from the result fetch: onError at once.
    const ok = fetchEngine(s, { open: open(), fetch }, clock.now);
    const third = await ok.start({ flowId: 'fetch-flow' });
    const resolved = deliveryFor(await tokenOf(s, third.id), 'VERIFICATION_COMPLETED');
    await ok.receive(resolved.delivery, resolved.rawBody);
    await ok.correlate(resolved.delivery);
    expect(await s.getSession(third.id)).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('finding 4: an unauthenticated delivery only triggers a re-fetch', () => {
  it('an unauthenticated CONSENT_DECLINED takes the fetch branch (Socure’s answer decides); an authenticated one declines', async () => {
    const s = await store();
    const fetch = fakeCapability('fetch', () => ({ decision: 'accept' }));
    const engine = newEngine({
      store: s,
      flows: flowMap(fetchFlow()),
      capabilities: { open: open(), fetch },
    });

    const forged = await engine.start({ flowId: 'fetch-flow' });
    const unauthenticated = deliveryFor(await tokenOf(s, forged.id), 'CONSENT_DECLINED', false);
    await engine.receive(unauthenticated.delivery, unauthenticated.rawBody);
    await engine.correlate(unauthenticated.delivery);
    expect(await s.getSession(forged.id)).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(fetch.calls).toHaveLength(1);

    const real = await engine.start({ flowId: 'fetch-flow' });
    const authenticated = deliveryFor(await tokenOf(s, real.id), 'CONSENT_DECLINED', true);
    await engine.receive(authenticated.delivery, authenticated.rawBody);
    await engine.correlate(authenticated.delivery);
    expect(await s.getSession(real.id)).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      nodeId: 'declined',
    });
    expect(fetch.calls).toHaveLength(1);
  });
});
