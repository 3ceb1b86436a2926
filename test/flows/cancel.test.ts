/**
 * `FlowEngine.cancel`: an end like any other (one commit under the session's version and lease, its callback in
 * the outbox), which a webhook, a timeout or a step in flight cannot race into a second end.
 */
import { describe, expect, it } from 'vitest';
import type { NewOutbound, SessionRow } from '../../src/store/types.js';
import {
  delivery,
  fakeCapability,
  gate,
  inlineFlow,
  manualClock,
  newEngine,
  timelineCount,
  useTestStores,
} from './support.js';

const { store } = useTestStores('cancel');

const ACTOR = 'api-key:0123abcd';

/** A wait on a DocV token, with an end for each branch. */
function waitFlow(token: string) {
  return inlineFlow(
    'cancel-wait',
    'wait',
    {
      wait: {
        type: 'wait',
        title: 'Waiting',
        challenge: { docvTransactionToken: token },
        events: ['VERIFICATION_COMPLETED'],
        timeout: '10m',
        branches: { resolved: 'done', timeout: 'timedOut' },
      },
      done: { type: 'end', outcome: 'verified', title: 'Done' },
      timedOut: { type: 'end', outcome: 'failed', title: 'Timed out' },
    },
    [],
  );
}

/** The callbacks the engine committed, as the app webhook dispatcher would build them. */
function callbackRecorder() {
  const built: Array<{ session: SessionRow; result: Record<string, unknown> }> = [];
  let queued = 0;
  return {
    built,
    queued: () => queued,
    completionCallback: {
      build(session: SessionRow, result: Record<string, unknown>): NewOutbound {
        built.push({ session, result });
        return {
          id: `cb-${built.length}`,
          sessionId: session.id,
          url: 'http://127.0.0.1:9/',
          body: '{}',
          nextAttemptAt: 0,
        };
      },
      queued: () => {
        queued++;
      },
    },
  };
}

describe('FlowEngine.cancel', () => {
  it('ends a waiting session as cancelled: timeline entry with the actor, audit entry, one callback', async () => {
    const s = await store();
    const flow = waitFlow('tok-cancel-1');
    const callbacks = callbackRecorder();
    const engine = newEngine({
      store: s,
      flows: new Map([[flow.id, flow]]),
      completionCallback: callbacks.completionCallback,
    });
    const started = await engine.start({ flowId: flow.id });
    expect(started.status).toBe('waiting');

    const cancelled = await engine.cancel(started.id, ACTOR);
    expect(cancelled.status).toBe('cancelled');
    const row = await s.getSession(started.id);
    expect(row).toMatchObject({ status: 'completed', outcome: 'cancelled', waitToken: null, wakeAt: null });
    expect((await s.getSessionData(started.id))?.result).toEqual({ reason: 'cancelled' });
    const timeline = await s.listTimeline(started.id);
    expect(timeline.at(-1)).toMatchObject({
      type: 'cancelled',
      detail: { outcome: 'cancelled', actor: ACTOR, node: 'wait' },
    });
    expect(timeline.filter((e) => e.type === 'completed')).toEqual([]);

    expect(callbacks.built).toHaveLength(1);
    expect(callbacks.built[0]!.session).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    expect(callbacks.queued()).toBe(1);
    const outbox = await s.listOutbound(started.id);
    expect(outbox.map((o) => o.status)).toEqual(['pending']);

    await s.chainAudit(100);
    const audit = await s.listAudit({ limit: 100 });
    const ofSession = audit.filter((e) => e.detail.sessionId === started.id);
    expect(ofSession.map((e) => [e.type, e.actor])).toEqual([
      ['session.started', 'engine'],
      ['session.cancelled', ACTOR],
    ]);
    expect(ofSession[1]!.detail).toMatchObject({ outcome: 'cancelled', flow: flow.id });
  });

  it('a second cancel, a late delivery and a due timeout change nothing', async () => {
    const s = await store();
    const clock = manualClock();
    const flow = waitFlow('tok-cancel-2');
    const callbacks = callbackRecorder();
    const engine = newEngine({
      store: s,
      flows: new Map([[flow.id, flow]]),
      now: clock.now,
      completionCallback: callbacks.completionCallback,
    });
    const started = await engine.start({ flowId: flow.id });
    expect((await engine.cancel(started.id, ACTOR)).status).toBe('cancelled');
    const ended = (await s.getSession(started.id))!;

    const again = await engine.cancel(started.id, ACTOR);
    expect(again).toMatchObject({ status: 'already_ended', session: { outcome: 'cancelled' } });

    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-cancel-2' });
    expect((await engine.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    await engine.correlate(d.delivery);
    clock.advance(11 * 60_000); // past the wait's timeout and the delivery's grace
    await engine.tick();

    expect(await s.getSession(started.id)).toMatchObject({
      status: 'completed',
      outcome: 'cancelled',
      version: ended.version,
    });
    expect(await timelineCount(s, started.id, 'cancelled')).toBe(1);
    expect(await timelineCount(s, started.id, 'resumed')).toBe(0);
    expect(await timelineCount(s, started.id, 'timeout')).toBe(0);
    const [row] = await s.findDeliveries({ docvTransactionToken: 'tok-cancel-2' }, [
      'VERIFICATION_COMPLETED',
    ]);
    expect(row?.consumedBy).toBeNull();
    expect(callbacks.built).toHaveLength(1);
  });

  it('a delivery racing the cancel from a stale read does not end the session a second time', async () => {
    const s = await store();
    const flow = waitFlow('tok-cancel-3');
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]) });
    const started = await engine.start({ flowId: flow.id });
    const stale = (await s.getSession(started.id))!;
    expect((await engine.cancel(started.id, ACTOR)).status).toBe('cancelled');
    // What a correlating instance that read the session before the cancel would commit: its version is gone.
    const resumed = await s.commitStep({
      sessionId: stale.id,
      expectedVersion: stale.version,
      patch: { status: 'running', nodeId: 'done' },
      now: Date.now(),
      lease: { owner: 'other-instance', until: Date.now() + 30_000 },
      timeline: [{ type: 'resumed', detail: {} }],
    });
    expect(resumed).toBeUndefined();
    expect(await s.getSession(started.id)).toMatchObject({ status: 'completed', outcome: 'cancelled' });
  });

  it('waits for a step in flight (its runner holds the lease), then cancels where the step left the session', async () => {
    const s = await store();
    const open = gate();
    const slow = fakeCapability('slow', async () => {
      await open.promise;
      return { ok: true };
    });
    const flow = inlineFlow(
      'cancel-step',
      'call',
      {
        call: { type: 'capability', capability: 'slow', next: 'form' },
        form: { type: 'screen', title: 'Form', fields: [{ name: 'x', label: 'X' }], next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      ['slow'],
    );
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]), capabilities: { slow } });
    const starting = engine.start({ flowId: flow.id });
    const deadline = Date.now() + 5_000;
    while (slow.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(slow.calls).toHaveLength(1);
    const [session] = await s.listSessions({ flowId: flow.id, limit: 1 });
    expect(session).toMatchObject({ status: 'running', nodeId: 'call' });

    const cancelling = engine.cancel(session!.id, ACTOR);
    let settled = false;
    void cancelling.then(() => {
      settled = true;
    });
    // The cancel cannot commit while the step holds the lease.
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    expect((await s.getSession(session!.id))?.status).toBe('running');

    open.open();
    await starting;
    expect((await cancelling).status).toBe('cancelled');
    const timeline = (await s.listTimeline(session!.id)).map((e) => e.type);
    // The step committed first (the session reached its form), then the cancel.
    expect(timeline.slice(-3)).toEqual(['step', 'screen', 'cancelled']);
    expect(await s.getSession(session!.id)).toMatchObject({
      status: 'completed',
      outcome: 'cancelled',
      nodeId: 'form',
    });
  });

  it('a step that holds the lease past the wait answers busy and changes nothing; the step then goes on', async () => {
    const s = await store();
    const open = gate();
    const slow = fakeCapability('slow', async () => {
      await open.promise;
      return { ok: true };
    });
    const flow = inlineFlow(
      'cancel-busy',
      'call',
      {
        call: { type: 'capability', capability: 'slow', next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      ['slow'],
    );
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]), capabilities: { slow } });
    const starting = engine.start({ flowId: flow.id });
    const deadline = Date.now() + 5_000;
    while (slow.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const [session] = await s.listSessions({ flowId: flow.id, limit: 1 });

    const busy = await engine.cancel(session!.id, ACTOR);
    expect(busy).toMatchObject({ status: 'busy', session: { status: 'running' } });
    expect(await timelineCount(s, session!.id, 'cancelled')).toBe(0);

    open.open();
    await starting;
    expect(await s.getSession(session!.id)).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(await engine.cancel(session!.id, ACTOR)).toMatchObject({
      status: 'already_ended',
      session: { outcome: 'verified' },
    });
  }, 20_000);

  it('an unknown session is not_found', async () => {
    const s = await store();
    const flow = waitFlow('tok-cancel-4');
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]) });
    expect(await engine.cancel('no-such-session', ACTOR)).toEqual({ status: 'not_found' });
  });
});
