/**
 * Session lifetime (ttl), `saveAs`, and consuming a delivery in the same transaction as the resume.
 */
import { describe, expect, it } from 'vitest';
import { delivery, fakeCapability, inlineFlow, manualClock, newEngine, useTestStores } from './support.js';

const { store } = useTestStores('lifetime');

describe('session lifetime', () => {
  it('a session abandoned at a screen ends as expired once its ttl passes, and not before', async () => {
    const s = await store();
    const clock = manualClock();
    const flow = inlineFlow(
      'ttl-flow',
      'form',
      {
        form: { type: 'screen', title: 'Form', fields: [{ name: 'x', label: 'X' }], next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      [],
    );
    const engine = newEngine({
      store: s,
      flows: new Map([[flow.id, { ...flow, ttl: 60_000 }]]),
      now: clock.now,
    });
    const started = await engine.start({ flowId: flow.id });
    expect(started.status).toBe('input');

    clock.advance(59_000);
    await engine.tick();
    expect((await s.getSession(started.id))?.status).toBe('input');

    clock.advance(2_000);
    await engine.tick();
    const ended = await s.getSession(started.id);
    expect(ended).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect((await s.getSessionData(started.id))?.result).toEqual({ reason: 'session_expired' });
    // A late submit does not revive it.
    await engine.submit(started.id, 'form', { x: '1' });
    expect((await s.getSession(started.id))?.outcome).toBe('expired');
  });

  it('a waiting session whose wait outlives the ttl also expires', async () => {
    const s = await store();
    const clock = manualClock();
    const flow = inlineFlow(
      'ttl-wait',
      'wait',
      {
        wait: {
          type: 'wait',
          title: 'Waiting',
          challenge: { docvTransactionToken: 'tok-ttl' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '2h',
          branches: { resolved: 'done', timeout: 'done' },
        },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      [],
    );
    const engine = newEngine({
      store: s,
      flows: new Map([[flow.id, { ...flow, ttl: 3_600_000 }]]),
      now: clock.now,
    });
    const started = await engine.start({ flowId: flow.id });
    expect(started.status).toBe('waiting');
    clock.advance(3_600_001);
    await engine.tick();
    expect(await s.getSession(started.id)).toMatchObject({ status: 'completed', outcome: 'expired' });
  });
});

describe('saveAs and consumed deliveries', () => {
  it('a capability with saveAs stores its output under that name (a retry replaces the first result)', async () => {
    const s = await store();
    const fetch = fakeCapability('fetch', (_input, call) => ({ attempt: call }));
    const flow = inlineFlow(
      'save-as',
      'first',
      {
        first: { type: 'capability', capability: 'fetch', next: 'again' },
        again: { type: 'capability', capability: 'fetch', saveAs: 'first', next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done', result: { attempt: '{{first.attempt}}' } },
      },
      ['fetch'],
    );
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]), capabilities: { fetch } });
    const started = await engine.start({ flowId: flow.id });
    expect(started.status).toBe('completed');
    const data = await s.getSessionData(started.id);
    expect(data?.result).toEqual({ attempt: 2 });
    expect(Object.keys(data?.outputs ?? {})).toEqual(['first']);
  });

  it('the delivery that resumes a session is marked consumed by it, and cannot resume a later wait', async () => {
    const s = await store();
    const flow = inlineFlow(
      'consume',
      'w1',
      {
        w1: {
          type: 'wait',
          title: 'One',
          challenge: { docvTransactionToken: 'tok-consume' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '1h',
          branches: { resolved: 'w2', timeout: 'failed' },
        },
        w2: {
          type: 'wait',
          title: 'Two',
          challenge: { docvTransactionToken: 'tok-consume' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '1h',
          branches: { resolved: 'done', timeout: 'failed' },
        },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
        failed: { type: 'end', outcome: 'failed', title: 'Failed' },
      },
      [],
    );
    const clock = manualClock();
    const engine = newEngine({ store: s, flows: new Map([[flow.id, flow]]), now: clock.now });
    const started = await engine.start({ flowId: flow.id });
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-consume' });
    expect((await engine.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    await engine.correlate(d.delivery);
    const after = await s.getSession(started.id);
    expect(after).toMatchObject({ status: 'waiting', nodeId: 'w2' });
    const [row] = await s.findDeliveries({ docvTransactionToken: 'tok-consume' }, ['VERIFICATION_COMPLETED']);
    expect(row?.consumedBy).toBe(started.id);
    // The sweep of uncorrelated deliveries (as a restarted process runs, past the grace) does not let the same
    // delivery pass w2: consuming it cleared its pending correlation in the same transaction.
    clock.advance(60_000);
    expect(await s.claimUncorrelatedDeliveries(clock.now(), clock.now() + 1_000, 10)).toEqual([]);
    await engine.tick();
    expect(await s.getSession(started.id)).toMatchObject({ status: 'waiting', nodeId: 'w2' });
  });
});
