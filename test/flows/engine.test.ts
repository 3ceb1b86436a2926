/**
 * The engine with a real store (SQLite, or PostgreSQL in the postgres project) and small inline flows whose capabilities are test doubles that
 * record their calls. (The shipped flows against the sandbox are in shipped-flows.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Flow, FlowEngine, UnknownFlowError } from '../../src/flows/index.js';
import { SocureInputError } from '../../src/socure/index.js';
import type { SessionChange, SessionRow } from '../../src/store/index.js';
import { eventually } from '../support/eventually.js';
import {
  delivery,
  fakeCapability,
  gate,
  inlineFlow,
  manualClock,
  newEngine,
  timelineCount,
  unusedContext,
  useTestStores,
} from './support.js';

const { store, dbPath } = useTestStores('engine');

const flowMap = (...flows: Flow[]) => new Map(flows.map((f) => [f.id, f]));

// --- flows ---

/** screen → capability → branch → end (three ends). */
function formFlow() {
  return inlineFlow(
    'form-flow',
    'form',
    {
      form: {
        type: 'screen',
        title: 'Hello {{input.greeting}}',
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'email', label: 'Email', type: 'email' },
          { name: 'age', label: 'Age', type: 'number' },
        ],
        errorFrom: 'lookup',
        next: 'lookup',
      },
      lookup: {
        type: 'capability',
        capability: 'lookup',
        input: {
          name: '{{form.name}}',
          user: '{{session.customerUserId}}',
          n: '{{input.n}}',
          opt: '{{form.email}}',
        },
        next: 'route',
        onError: 'form',
      },
      route: {
        type: 'branch',
        value: '{{lookup.tier}}',
        cases: { gold: 'gold' },
        rules: [{ if: { value: '{{lookup.score}}', gte: 0.9 }, next: 'risky' }],
        default: 'silver',
      },
      gold: {
        type: 'end',
        outcome: 'verified',
        title: 'Gold',
        result: {
          name: '{{form.name}}',
          score: '{{lookup.score}}',
          tags: '{{lookup.tags}}',
          nested: { tier: '{{lookup.tier}}', list: ['{{input.n}}', 'user {{session.customerUserId}}'] },
          missing: '{{lookup.nothing}}',
          fixed: 42,
        },
      },
      silver: { type: 'end', outcome: 'review', title: 'Silver', result: { tier: '{{lookup.tier}}' } },
      risky: { type: 'end', outcome: 'rejected', title: 'Risky', result: { score: '{{lookup.score}}' } },
    },
    ['lookup'],
  );
}

const WAIT_BRANCHES = {
  resolved: 'after',
  timeout: 'timedOut',
  expired: 'expiredEnd',
  declined: 'declinedEnd',
  failed: 'failedEnd',
};

const WAIT_ENDS = {
  done: {
    type: 'end',
    outcome: 'verified',
    title: 'Done',
    result: { event: '{{after.event}}', token: '{{open.token}}' },
  },
  timedOut: {
    type: 'end',
    outcome: 'expired',
    title: 'Timed out',
    result: { reason: 'timeout', timedOut: '{{prompt.timedOut}}' },
  },
  expiredEnd: { type: 'end', outcome: 'expired', title: 'Expired', result: { reason: 'session_expired' } },
  declinedEnd: { type: 'end', outcome: 'failed', title: 'Declined', result: { reason: 'consent_declined' } },
  failedEnd: { type: 'end', outcome: 'failed', title: 'Upload failed', result: { reason: 'upload_failed' } },
};

/** capability (opens a challenge; its input is the session id) → wait → capability → end. */
function waitFlow() {
  return inlineFlow(
    'wait-flow',
    'open',
    {
      open: { type: 'capability', capability: 'open', input: { id: '{{session.id}}' }, next: 'prompt' },
      prompt: {
        type: 'wait',
        title: 'Scan the code',
        challenge: { docvTransactionToken: '{{open.token}}', referenceId: '{{open.ref}}' },
        events: ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE'],
        timeout: '10m',
        branches: WAIT_BRANCHES,
      },
      after: {
        type: 'capability',
        capability: 'after',
        input: {
          event: '{{prompt.rawResponse.event.eventType}}',
          credId: '{{prompt.credentialStatusObject.credId}}',
        },
        next: 'done',
      },
      ...WAIT_ENDS,
    },
    ['open', 'after'],
  );
}

/** screen (the token comes from the input) → wait → capability → end: the wait starts when the person submits. */
function lateWaitFlow() {
  return inlineFlow(
    'late-wait',
    'intro',
    {
      intro: { type: 'screen', title: 'Intro', next: 'prompt' },
      prompt: {
        type: 'wait',
        title: 'Waiting',
        challenge: { docvTransactionToken: '{{input.token}}' },
        events: ['VERIFICATION_COMPLETED'],
        timeout: '10m',
        branches: { resolved: 'after', timeout: 'timedOut' },
      },
      after: {
        type: 'capability',
        capability: 'after',
        input: { event: '{{prompt.rawResponse.event.eventType}}' },
        next: 'done',
      },
      done: { type: 'end', outcome: 'verified', title: 'Done', result: { event: '{{after.event}}' } },
      timedOut: WAIT_ENDS.timedOut,
    },
    ['after'],
  );
}

function waitCapabilities() {
  const open = fakeCapability('open', () => ({ token: `tok-${randomUUID()}`, ref: `ref-${randomUUID()}` }));
  const after = fakeCapability('after', (input) => ({ event: input.event, credId: input.credId }));
  return { open, after };
}

async function waitingSession(engine: FlowEngine, customerUserId = 'cu-1') {
  const session = await engine.start({ flowId: 'wait-flow', customerUserId });
  expect(session.status).toBe('waiting');
  const data = (await engine.store.getSessionData(session.id))!;
  const { token, ref } = data.outputs.open as { token: string; ref: string };
  return { session, token, ref };
}

/** A completion callback that records what it built and how often a commit queued it. */
function recordingCallback() {
  const built: Array<[SessionRow, Record<string, unknown>]> = [];
  let queued = 0;
  return {
    built,
    queued: () => queued,
    option: {
      build(session: SessionRow, result: Record<string, unknown>) {
        built.push([session, result]);
        return {
          id: randomUUID(),
          sessionId: session.id,
          url: 'https://app.example.com/hook',
          body: JSON.stringify({ id: session.id, outcome: session.outcome, result }),
          nextAttemptAt: 0,
        };
      },
      queued() {
        queued += 1;
      },
    },
  };
}

async function outcomeOf(engine: FlowEngine, id: string) {
  const session = (await engine.store.getSession(id))!;
  const data = (await engine.store.getSessionData(id))!;
  return { session, data };
}

// --- tests ---

describe('capability, screen, branch and end nodes', () => {
  it('runs a screen: validation errors keep the session at the screen; valid values move it on', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => ({ tier: 'gold', score: 0.2, tags: ['a', 'b'] }));
    const callback = recordingCallback();
    const engine = newEngine({
      store: s,
      flows: flowMap(formFlow()),
      capabilities: { lookup },
      completionCallback: callback.option,
    });
    const started = await engine.start({
      flowId: 'form-flow',
      customerUserId: 'cu-7',
      input: { n: 3, greeting: 'Ada' },
    });
    expect(started).toMatchObject({ status: 'input', nodeId: 'form', outcome: null });
    expect(lookup.calls).toHaveLength(0);
    // Change notifications come from the store (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL).
    const changes: SessionChange[] = [];
    const unsubscribe = s.changes.subscribe(started.id, (change) => changes.push(change));

    const bad = await engine.submit(started.id, 'form', { name: '  ', email: 'not-mail', age: 'x' });
    expect(bad).toEqual({
      errors: {
        // Codes: the page words them in its language, with the field's label.
        name: { code: 'required' },
        email: { code: 'email' },
        age: { code: 'number' },
      },
    });
    expect((await s.getSession(started.id))!).toMatchObject({
      status: 'input',
      nodeId: 'form',
      version: started.version,
    });
    expect(lookup.calls).toHaveLength(0);

    const ok = await engine.submit(started.id, 'form', { name: ' Ada ', email: '', age: ['36', '40'] });
    expect('session' in ok && ok.session).toMatchObject({
      status: 'completed',
      outcome: 'verified',
      nodeId: 'gold',
    });
    // The capability got its input with references resolved; a blank optional value is left out.
    expect(lookup.calls).toEqual([{ name: 'Ada', user: 'cu-7', n: 3 }]);

    const { data } = await outcomeOf(engine, started.id);
    expect(data.input).toEqual({ n: 3, greeting: 'Ada' });
    // Session data keeps every node's output: the screen's clean values and the capability's answer.
    expect(data.outputs).toEqual({
      form: { name: 'Ada', age: '36' },
      lookup: { tier: 'gold', score: 0.2, tags: ['a', 'b'] },
    });
    // End references keep their types (numbers, arrays, nested objects); missing ones are left out.
    expect(data.result).toEqual({
      name: 'Ada',
      score: 0.2,
      tags: ['a', 'b'],
      nested: { tier: 'gold', list: [3, 'user cu-7'] },
      fixed: 42,
    });
    // The app's callback was built once, from the completed row, and committed with the end (one outbox row).
    expect(callback.built).toHaveLength(1);
    expect(callback.built[0]![0]).toMatchObject({ id: started.id, status: 'completed', outcome: 'verified' });
    expect(callback.built[0]![1]).toEqual(data.result);
    expect(callback.queued()).toBe(1);
    const outbound = await s.listOutbound(started.id);
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ sessionId: started.id, status: 'pending', attempts: 0 });
    expect(JSON.parse(outbound[0]!.body)).toEqual({
      id: started.id,
      outcome: 'verified',
      result: data.result,
    });
    const { session: done } = await outcomeOf(engine, started.id);
    await eventually(() => changes.at(-1)?.version === done.version, 'the completion to be announced');
    expect(changes.at(-1)).toEqual({ id: started.id, version: done.version, status: 'completed' });
    unsubscribe();

    const timeline = await s.listTimeline(started.id);
    expect(timeline.map((e) => e.type)).toEqual([
      'created',
      'screen',
      'input',
      'step',
      'branch',
      'completed',
    ]);
    expect(timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(timeline[3]!.detail).toEqual({ from: 'lookup', to: 'route' });
    expect(timeline[4]!.detail).toEqual({ from: 'route', to: 'gold' });
    expect(timeline[5]!.detail).toEqual({ outcome: 'verified' });
    // The step, the branch and the end were one commit: one version after the input's, and one change announced.
    const afterInput = changes.find((c) => c.status === 'running');
    expect(done.version).toBe(afterInput!.version + 1);
    expect(changes.filter((c) => c.version > afterInput!.version)).toEqual([
      { id: started.id, version: done.version, status: 'completed' },
    ]);
  });

  it('leaves an absent customer user id out of capability inputs', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => ({ tier: 'gold', score: 0.1 }));
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup } });
    const started = await engine.start({ flowId: 'form-flow' });
    await engine.submit(started.id, 'form', { name: 'Ada' });
    expect(lookup.calls).toEqual([{ name: 'Ada' }]);
    expect((await s.getSessionData(started.id))!.result).toMatchObject({ nested: { list: [null, 'user '] } });
  });

  it('ignores a stale or repeated submit (another node, or after the screen moved on)', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => ({ tier: 'silver', score: 0.1 }));
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup } });
    const started = await engine.start({ flowId: 'form-flow' });
    const wrongNode = await engine.submit(started.id, 'lookup', { name: 'Ada' });
    expect('session' in wrongNode && wrongNode.session).toMatchObject({ status: 'input', nodeId: 'form' });
    await engine.submit(started.id, 'form', { name: 'Ada' });
    const again = await engine.submit(started.id, 'form', { name: 'Bob' });
    expect('session' in again && again.session).toMatchObject({ status: 'completed', outcome: 'review' });
    expect(lookup.calls).toHaveLength(1);
    expect((await s.getSessionData(started.id))!.result).toEqual({ tier: 'silver' });
    await expect(engine.submit('no-such-session', 'form', {})).rejects.toBeInstanceOf(UnknownFlowError);
  });

  it('branches by rule before cases', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => ({ tier: 'gold', score: 0.95 }));
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup } });
    const started = await engine.start({ flowId: 'form-flow' });
    const res = await engine.submit(started.id, 'form', { name: 'Ada' });
    expect('session' in res && res.session).toMatchObject({ outcome: 'rejected', nodeId: 'risky' });
    expect((await s.getSessionData(started.id))!.result).toEqual({ score: 0.95 });
  });

  it('a failing capability with onError records the error as its output and takes onError', async () => {
    const s = await store();
    let fail = true;
    const lookup = fakeCapability('lookup', () => {
      if (fail) throw new SocureInputError('name', 'is not a real name');
      return { tier: 'gold', score: 0.1 };
    });
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup } });
    const started = await engine.start({ flowId: 'form-flow' });
    const res = await engine.submit(started.id, 'form', { name: 'X' });
    // onError goes back to the screen, which can show lookup.error.message (errorFrom)
    expect('session' in res && res.session).toMatchObject({ status: 'input', nodeId: 'form' });
    expect((await s.getSessionData(started.id))!.outputs.lookup).toEqual({
      error: {
        message: 'Please check the name field (is not a real name).',
        kind: 'SocureInputError',
        field: 'name',
        reason: 'is not a real name',
      },
    });
    fail = false;
    const retry = await engine.submit(started.id, 'form', { name: 'Ada' });
    expect('session' in retry && retry.session).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect((await s.getSessionData(started.id))!.outputs.lookup).toEqual({ tier: 'gold', score: 0.1 });
    expect(lookup.calls).toHaveLength(2);
  });

  it('an unexpected error never reaches the output with its message', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => {
      throw new Error('connect ECONNREFUSED with key sk_live_SECRET');
    });
    const logged: unknown[] = [];
    const log = { info: () => {}, warn: (o: object) => logged.push(o), error: (o: object) => logged.push(o) };
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup }, log });
    const started = await engine.start({ flowId: 'form-flow' });
    await engine.submit(started.id, 'form', { name: 'Ada' });
    const output = (await s.getSessionData(started.id))!.outputs.lookup;
    expect(output).toEqual({
      error: {
        message:
          'We could not complete this step right now. Please try again in a moment; if it keeps happening, contact support.',
        kind: 'Error',
      },
    });
    expect(JSON.stringify(output)).not.toContain('SECRET');
    expect(logged.length).toBeGreaterThan(0);
  });

  it('a failing capability without onError ends the session as failed', async () => {
    const s = await store();
    const flow = inlineFlow(
      'no-on-error',
      'c',
      {
        c: { type: 'capability', capability: 'boom', next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      ['boom'],
    );
    const boom = fakeCapability('boom', () => {
      throw new SocureInputError('modules', 'select at least one module');
    });
    const callback = recordingCallback();
    const engine = newEngine({
      store: s,
      flows: flowMap(flow),
      capabilities: { boom },
      completionCallback: callback.option,
    });
    const session = await engine.start({ flowId: 'no-on-error' });
    expect(session).toMatchObject({ status: 'completed', outcome: 'failed', nodeId: 'c' });
    expect((await s.getSessionData(session.id))!.result).toEqual({
      error: 'modules: select at least one module',
    });
    expect(callback.built.map(([, result]) => result)).toEqual([
      { error: 'modules: select at least one module' },
    ]);
    expect(callback.queued()).toBe(1);
    expect(await s.listOutbound(session.id)).toHaveLength(1);
    expect((await s.listTimeline(session.id)).map((e) => e.type)).toEqual(['created', 'completed']);
  });

  it('fails a flow that loops without a screen or wait (step limit), and refuses unknown flows', async () => {
    const s = await store();
    const flow = inlineFlow(
      'loop',
      'a',
      {
        a: { type: 'branch', default: 'b' },
        b: { type: 'branch', default: 'a' },
      },
      [],
    );
    const engine = newEngine({ store: s, flows: flowMap(flow) });
    const session = await engine.start({ flowId: 'loop' });
    expect(session).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect((await s.getSessionData(session.id))!.result).toEqual({
      error: 'the flow exceeded its step limit',
    });
    await expect(engine.start({ flowId: 'nope' })).rejects.toBeInstanceOf(UnknownFlowError);
  });

  it('fails a wait whose correlation keys resolve to nothing', async () => {
    const s = await store();
    const after = fakeCapability('after');
    const engine = newEngine({ store: s, flows: flowMap(lateWaitFlow()), capabilities: { after } });
    const started = await engine.start({ flowId: 'late-wait', input: {} });
    const res = await engine.submit(started.id, 'intro', {});
    expect('session' in res && res.session).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect((await s.getSessionData(started.id))!.result).toEqual({
      error: 'the wait has no correlation key (check the flow references)',
    });
  });

  it('fails a wait, in the commit of the step before it, when that step gave no key', async () => {
    const s = await store();
    const open = fakeCapability('open', () => ({ note: 'no token' }));
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after: fakeCapability('after') },
    });
    const session = await engine.start({ flowId: 'wait-flow' });
    expect(session).toMatchObject({ status: 'completed', outcome: 'failed', nodeId: 'prompt', version: 2 });
    const data = (await s.getSessionData(session.id))!;
    expect(data.result).toEqual({ error: 'the wait has no correlation key (check the flow references)' });
    expect(data.outputs.open).toEqual({ note: 'no token' });
    expect((await s.listTimeline(session.id)).map((e) => e.type)).toEqual(['created', 'step', 'completed']);
  });
});

describe('wait nodes', () => {
  it('parks as a row with its challenge, and a matching delivery resumes it', async () => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, token, ref } = await waitingSession(engine);
    expect(session).toMatchObject({
      nodeId: 'prompt',
      waitToken: token,
      waitReferenceId: ref,
      waitEvents: [
        'VERIFICATION_COMPLETED',
        'SESSION_COMPLETE',
        'SESSION_EXPIRED',
        'CONSENT_DECLINED',
        'DOCUMENTS_UPLOAD_FAILED',
      ],
    });
    expect(session.challengeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.wakeAt).toBe(session.updatedAt + 10 * 60_000);
    // The step that opened the challenge and the park were one commit: created at version 1, parked at 2.
    expect(session.version).toBe(2);
    expect((await s.listTimeline(session.id)).map((e) => e.type)).toEqual(['created', 'step', 'waiting']);
    expect((await engine.store.getSessionData(session.id))!.outputs.open).toEqual({ token, ref });

    // Events the wait does not list, and deliveries for another transaction, leave it waiting.
    await engine.correlate(
      delivery({ eventType: 'APP_OPENED', docvTransactionToken: token, referenceId: ref }).delivery,
    );
    await engine.correlate(
      delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'other-token' }).delivery,
    );
    // A token names the transaction: a matching reference id with another token is not this one.
    await engine.correlate(
      delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'other-token', referenceId: ref })
        .delivery,
    );
    expect((await s.getSession(session.id))!.status).toBe('waiting');
    expect(after.calls).toHaveLength(0);

    const d = delivery({
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: token,
      referenceId: ref,
      customerUserId: 'cu-1',
    });
    expect((await engine.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    await engine.correlate(d.delivery);
    const { session: done, data } = await outcomeOf(engine, session.id);
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'verified',
      waitToken: null,
      wakeAt: null,
      waitEvents: null,
    });
    expect(after.calls).toEqual([{ event: 'VERIFICATION_COMPLETED', credId: token }]);
    // The wait's output is the seed's webhook output.
    expect(data.outputs.prompt).toMatchObject({
      rawResponse: {
        id: d.delivery.id,
        event: { eventType: 'VERIFICATION_COMPLETED', referenceId: ref, customerUserId: 'cu-1' },
      },
      challenge: session.challengeId,
      credentialStatusObject: { detailStatus: 'VERIFICATION_COMPLETED', credId: token, userId: 'cu-1' },
    });
    expect(
      (data.outputs.prompt as { rawResponse: { event: { data: unknown } } }).rawResponse.event.data,
    ).toMatchObject({
      documentNumber: 'SOC86753099',
    });
    expect(data.result).toEqual({ event: 'VERIFICATION_COMPLETED', token });
    const types = (await s.listTimeline(session.id)).map((e) => e.type);
    expect(types).toEqual(['created', 'step', 'waiting', 'resumed', 'step', 'completed']);
    const resumed = (await s.listTimeline(session.id)).find((e) => e.type === 'resumed')!;
    expect(resumed.detail).toEqual({
      from: 'prompt',
      to: 'after',
      eventType: 'VERIFICATION_COMPLETED',
      deliveryId: d.delivery.id,
    });
    // The delivery is marked consumed by the session.
    const inbox = await s.findDeliveries({ docvTransactionToken: token }, ['VERIFICATION_COMPLETED']);
    expect(inbox.map((x) => x.consumedBy)).toEqual([session.id]);
  });

  it('resolves by reference id when the delivery has no token (legacy v3)', async () => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, ref } = await waitingSession(engine);
    await engine.correlate(delivery({ eventType: 'SESSION_COMPLETE', referenceId: ref }).delivery);
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(after.calls).toEqual([{ event: 'SESSION_COMPLETE', credId: ref }]);
  });

  it.each([
    ['SESSION_EXPIRED', 'expiredEnd', 'expired', 'session_expired'],
    ['CONSENT_DECLINED', 'declinedEnd', 'failed', 'consent_declined'],
    ['DOCUMENTS_UPLOAD_FAILED', 'failedEnd', 'failed', 'upload_failed'],
  ] as const)('%s takes its own branch', async (eventType, node, outcome, reason) => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, token } = await waitingSession(engine);
    await engine.correlate(delivery({ eventType, docvTransactionToken: token }).delivery);
    const { session: done, data } = await outcomeOf(engine, session.id);
    expect(done).toMatchObject({ status: 'completed', outcome, nodeId: node });
    expect(data.result).toEqual({ reason });
    expect(after.calls).toHaveLength(0);
  });

  it('a SESSION_EXPIRED is ignored by a wait without an expired branch', async () => {
    const s = await store();
    const after = fakeCapability('after', (i) => i);
    const engine = newEngine({ store: s, flows: flowMap(lateWaitFlow()), capabilities: { after } });
    const started = await engine.start({ flowId: 'late-wait', input: { token: 'tok-x' } });
    await engine.submit(started.id, 'intro', {});
    await engine.correlate(
      delivery({ eventType: 'SESSION_EXPIRED', docvTransactionToken: 'tok-x' }).delivery,
    );
    expect((await s.getSession(started.id))!.status).toBe('waiting');
  });
});

describe('timeouts', () => {
  it('fires the timeout branch once the injected clock passes the deadline', async () => {
    const s = await store();
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
    });
    const { session } = await waitingSession(engine);
    expect(session.wakeAt).toBe(clock.now() + 10 * 60_000);

    clock.advance(10 * 60_000 - 1);
    await engine.tick();
    expect((await s.getSession(session.id))!.status).toBe('waiting');

    clock.advance(1);
    await engine.tick();
    const { session: done, data } = await outcomeOf(engine, session.id);
    expect(done).toMatchObject({ status: 'completed', outcome: 'expired', nodeId: 'timedOut' });
    expect(data.outputs.prompt).toEqual({ timedOut: true });
    expect(data.result).toEqual({ reason: 'timeout', timedOut: true });
    expect(await timelineCount(s, session.id, 'timeout')).toBe(1);

    // A delivery after the timeout does nothing; another tick does nothing.
    await engine.correlate(
      delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: done.waitToken ?? 'x' }).delivery,
    );
    await engine.tick();
    expect(after.calls).toHaveLength(0);
    expect(await timelineCount(s, session.id, 'timeout')).toBe(1);
  });

  it('a delivery and a timeout racing: exactly one of them moves the session', async () => {
    const s = await store();
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
    });
    const { session, token } = await waitingSession(engine);
    clock.advance(11 * 60_000);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token }).delivery;
    await Promise.all([engine.tick(), engine.correlate(d), engine.tick(), engine.correlate(d)]);
    const types = (await s.listTimeline(session.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'resumed' || t === 'timeout')).toHaveLength(1);
    expect(types.filter((t) => t === 'completed')).toHaveLength(1);
    expect(after.calls.length).toBe(types.includes('resumed') ? 1 : 0);
  });
  it('a delivery committed before the deadline but never correlated wins over the timeout', async () => {
    const s = await store();
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
    });
    const { session, token } = await waitingSession(engine);
    clock.advance(60_000);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    await engine.receive(d.delivery, d.rawBody); // committed; the process died before correlating
    clock.advance(60 * 60_000); // restarted long after the deadline
    await engine.tick();
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(await timelineCount(s, session.id, 'timeout')).toBe(0);
    expect(await timelineCount(s, session.id, 'resumed')).toBe(1);
  });

  it("a session whose flow is gone does not stop the other sessions' timeouts", async () => {
    const path = dbPath();
    const s = await store(path);
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const orphanFlow: Flow = { ...waitFlow(), id: 'orphan' };
    const old = newEngine({
      store: s,
      flows: flowMap(orphanFlow),
      capabilities: { open, after },
      now: clock.now,
    });
    const orphan = await old.start({ flowId: 'orphan' });
    clock.advance(1_000);
    const logged: unknown[] = [];
    const log = { info: () => {}, warn: () => {}, error: (o: object) => logged.push(o) };
    // The new deployment no longer ships the "orphan" flow.
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
      log,
    });
    const { session } = await waitingSession(engine);
    clock.advance(11 * 60_000); // both are due; the orphan comes first
    await engine.tick();
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'expired' });
    expect((await s.getSession(orphan.id))!.status).toBe('waiting');
    expect(logged).toContainEqual(expect.objectContaining({ id: orphan.id }));
  });
});

describe('exactly once', () => {
  it('the same delivery correlated twice resumes the session once', async () => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, token } = await waitingSession(engine);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    await engine.receive(d.delivery, d.rawBody);
    await engine.correlate(d.delivery);
    await engine.correlate(d.delivery);
    expect(after.calls).toHaveLength(1);
    expect(await timelineCount(s, session.id, 'resumed')).toBe(1);
    expect((await s.getSession(session.id))!.outcome).toBe('verified');
  });

  it('10 concurrent correlate calls for one delivery resume the session once', async () => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, token } = await waitingSession(engine);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    await engine.receive(d.delivery, d.rawBody);
    await Promise.all(Array.from({ length: 10 }, () => engine.correlate(d.delivery)));
    expect(after.calls).toHaveLength(1);
    expect(await timelineCount(s, session.id, 'resumed')).toBe(1);
    expect(await timelineCount(s, session.id, 'completed')).toBe(1);
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
  });

  it('two deliveries of different events racing resume the session once', async () => {
    const s = await store();
    const { open, after } = waitCapabilities();
    const engine = newEngine({ store: s, flows: flowMap(waitFlow()), capabilities: { open, after } });
    const { session, token } = await waitingSession(engine);
    const vc = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token }).delivery;
    const sc = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: token }).delivery;
    await Promise.all([
      engine.correlate(vc),
      engine.correlate(sc),
      engine.correlate(vc),
      engine.correlate(sc),
    ]);
    expect(after.calls).toHaveLength(1);
    expect(await timelineCount(s, session.id, 'resumed')).toBe(1);
  });

  it('concurrent submits of one screen move the session once', async () => {
    const s = await store();
    const lookup = fakeCapability('lookup', () => ({ tier: 'gold', score: 0.1 }));
    const engine = newEngine({ store: s, flows: flowMap(formFlow()), capabilities: { lookup } });
    const started = await engine.start({ flowId: 'form-flow' });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => engine.submit(started.id, 'form', { name: `Ada ${i}` })),
    );
    expect(lookup.calls).toHaveLength(1);
    expect(await timelineCount(s, started.id, 'input')).toBe(1);
    expect((await s.getSession(started.id))!.outcome).toBe('verified');
  });

  it('two engines on two store instances of one database racing correlate resume it once', async () => {
    const path = dbPath();
    const storeA = await store(path);
    const storeB = await store(path);
    const { open, after } = waitCapabilities(); // one counter across both engines
    const flows = flowMap(waitFlow());
    const engineA = newEngine({ store: storeA, flows, capabilities: { open, after } });
    const engineB = newEngine({ store: storeB, flows, capabilities: { open, after } });
    const { session, token } = await waitingSession(engineA);
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    expect((await engineA.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    expect((await engineB.receive(d.delivery, d.rawBody)).status).toBe('duplicate');
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? engineA : engineB).correlate(d.delivery)),
    );
    expect(after.calls).toHaveLength(1);
    expect(await timelineCount(storeB, session.id, 'resumed')).toBe(1);
    expect((await storeB.getSession(session.id))!).toMatchObject({
      status: 'completed',
      outcome: 'verified',
    });
  });

  it('a live lease is not taken over by tick: an in-flight step is not run twice', async () => {
    const s = await store();
    const clock = manualClock();
    const slowCall = gate();
    const slow = fakeCapability('slow', async () => {
      await slowCall.promise;
      return { ok: true };
    });
    const flow = inlineFlow(
      'slow-flow',
      'c',
      {
        c: { type: 'capability', capability: 'slow', input: { id: '{{session.id}}' }, next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
      },
      ['slow'],
    );
    // leaseMs 60 s: renewed every 20 s of real time, so never during this test; the manual clock decides.
    const engine = newEngine({
      store: s,
      flows: flowMap(flow),
      capabilities: { slow },
      now: clock.now,
      leaseMs: 60_000,
    });
    const starting = engine.start({ flowId: 'slow-flow' });
    await eventually(() => slow.calls.length === 1, 'the slow capability to be called');
    const running = (slow.calls[0] as { id: string }).id;
    expect((await s.getSession(running))!).toMatchObject({
      status: 'running',
      leaseUntil: clock.now() + 60_000,
    });
    clock.advance(59_999); // still inside the lease (an old "stall" threshold of 60 s would be close)
    await engine.tick();
    expect(slow.calls).toHaveLength(1);
    expect((await s.getSession(running))!).toMatchObject({ status: 'running', nodeId: 'c' });
    slowCall.open();
    const session = await starting;
    expect(session).toMatchObject({ id: running, status: 'completed', outcome: 'verified' });
    expect(slow.calls).toHaveLength(1);
    expect(await timelineCount(s, session.id, 'recovered')).toBe(0);
    expect(await timelineCount(s, session.id, 'completed')).toBe(1);
  });

  it('a session left running by a crashed process is run again by tick once its lease expires', async () => {
    const path = dbPath();
    const s = await store(path);
    const clock = manualClock();
    const cap = fakeCapability('cap', () => ({ n: 1 }));
    const flow = inlineFlow(
      'crash-flow',
      'c',
      {
        c: { type: 'capability', capability: 'cap', next: 'done' },
        done: { type: 'end', outcome: 'verified', title: 'Done', result: { n: '{{c.n}}' } },
      },
      ['cap'],
    );
    // The "crashed process" created the session (leased to its run for 30 s) and died before its first step.
    const row = await s.createSession(
      {
        id: 'crashed-1',
        flowId: 'crash-flow',
        nodeId: 'c',
        customerUserId: null,
        returnUrl: null,
        expiresAt: clock.now() + 3_600_000,
        input: {},
      },
      clock.now(),
      { owner: 'crashed:1', until: clock.now() + 30_000 },
    );
    expect(row).toMatchObject({ status: 'running', leaseOwner: 'crashed:1' });
    const engine = newEngine({
      store: s,
      flows: flowMap(flow),
      capabilities: { cap },
      now: clock.now,
      instanceId: 'survivor',
    });
    await engine.tick();
    expect(cap.calls).toHaveLength(0); // its lease is live
    await engine.run('crashed-1'); // nor does an explicit run take a live lease
    expect(cap.calls).toHaveLength(0);
    clock.advance(29_999);
    await engine.tick();
    expect(cap.calls).toHaveLength(0);
    clock.advance(1); // the lease ends now
    await engine.tick();
    expect((await s.getSession('crashed-1'))!).toMatchObject({
      status: 'completed',
      outcome: 'verified',
      leaseOwner: null,
      leaseUntil: null,
    });
    expect((await s.getSessionData('crashed-1'))!.result).toEqual({ n: 1 });
    expect(await timelineCount(s, 'crashed-1', 'recovered')).toBe(1);
    expect(cap.calls).toHaveLength(1);
    await engine.tick();
    expect(cap.calls).toHaveLength(1);
  });
});

describe('the webhook inbox', () => {
  it('receive answers duplicate for the same delivery id and for the same token + event type', async () => {
    const s = await store();
    const engine = newEngine({ store: s, flows: flowMap() });
    const first = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-d', id: 'd-1' });
    expect((await engine.receive(first.delivery, first.rawBody)).status).toBe('inserted');
    expect((await engine.receive(first.delivery, first.rawBody)).status).toBe('duplicate');
    const sameId = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: 'tok-other', id: 'd-1' });
    expect((await engine.receive(sameId.delivery, sameId.rawBody)).status).toBe('duplicate');
    const sameTokenAndType = delivery({
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: 'tok-d',
      id: 'd-2',
    });
    expect((await engine.receive(sameTokenAndType.delivery, sameTokenAndType.rawBody)).status).toBe(
      'duplicate',
    );
    const otherType = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: 'tok-d', id: 'd-3' });
    expect((await engine.receive(otherType.delivery, otherType.rawBody)).status).toBe('inserted');
    // Without a token (legacy), only the delivery id dedupes.
    const legacyA = delivery({ eventType: 'VERIFICATION_COMPLETED', referenceId: 'ref-1', id: 'd-4' });
    const legacyB = delivery({ eventType: 'VERIFICATION_COMPLETED', referenceId: 'ref-1', id: 'd-5' });
    expect((await engine.receive(legacyA.delivery, legacyA.rawBody)).status).toBe('inserted');
    expect((await engine.receive(legacyB.delivery, legacyB.rawBody)).status).toBe('inserted');
    const kept = await s.findDeliveries({ docvTransactionToken: 'tok-d' }, [
      'VERIFICATION_COMPLETED',
      'SESSION_COMPLETE',
    ]);
    expect(kept.map((d) => d.deliveryId)).toEqual(['d-1', 'd-3']);
    expect(kept[0]!.payload).toBe(first.rawBody);
  });

  it('an early webhook (received before the wait begins) is consumed as soon as the session parks', async () => {
    const s = await store();
    const after = fakeCapability('after', (i) => i);
    const engine = newEngine({ store: s, flows: flowMap(lateWaitFlow()), capabilities: { after } });
    const started = await engine.start({ flowId: 'late-wait', input: { token: 'tok-early' } });
    expect(started.status).toBe('input');

    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-early' });
    expect((await engine.receive(d.delivery, d.rawBody)).status).toBe('inserted');
    await engine.correlate(d.delivery); // nobody waits yet: kept in the inbox
    expect((await s.getSession(started.id))!.status).toBe('input');

    const submitted = await Promise.race([
      engine.submit(started.id, 'intro', {}),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000).unref()),
    ]);
    expect(submitted).not.toBe('hung');
    const { session, data } = await outcomeOf(engine, started.id);
    expect(session).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(data.result).toEqual({ event: 'VERIFICATION_COMPLETED' });
    expect(after.calls).toHaveLength(1);
    const types = (await s.listTimeline(started.id)).map((e) => e.type);
    expect(types).toEqual(['created', 'screen', 'input', 'waiting', 'resumed', 'step', 'completed']);
    const inbox = await s.findDeliveries({ docvTransactionToken: 'tok-early' }, ['VERIFICATION_COMPLETED']);
    expect(inbox[0]!.consumedBy).toBe(started.id);
  });

  it('a delivery consumed by one wait does not resolve a later wait of the same session', async () => {
    const s = await store();
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const flow = inlineFlow(
      'two-waits',
      'open',
      {
        open: { type: 'capability', capability: 'open', next: 'first' },
        first: {
          type: 'wait',
          title: 'First',
          challenge: { docvTransactionToken: '{{open.token}}' },
          events: ['VERIFICATION_COMPLETED', 'SESSION_COMPLETE'],
          timeout: '10m',
          branches: { resolved: 'after', timeout: 'timedOut' },
        },
        after: { type: 'capability', capability: 'after', next: 'second' },
        second: {
          type: 'wait',
          title: 'Second',
          challenge: { docvTransactionToken: '{{open.token}}' },
          events: ['VERIFICATION_COMPLETED'],
          timeout: '5m',
          branches: { resolved: 'done', timeout: 'timedOut' },
        },
        done: { type: 'end', outcome: 'verified', title: 'Done' },
        timedOut: { type: 'end', outcome: 'expired', title: 'Timed out' },
      },
      ['open', 'after'],
    );
    const engine = newEngine({
      store: s,
      flows: flowMap(flow),
      capabilities: { open, after },
      now: clock.now,
    });
    const session = await engine.start({ flowId: 'two-waits' });
    const token = ((await s.getSessionData(session.id))!.outputs.open as { token: string }).token;
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token });
    await engine.receive(d.delivery, d.rawBody);
    await engine.correlate(d.delivery);
    // The first wait took it; the second waits for a new one instead of taking the same delivery again.
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'waiting', nodeId: 'second' });
    expect(after.calls).toHaveLength(1);
    expect(await timelineCount(s, session.id, 'resumed')).toBe(1);
    // Nor does the sweep of uncorrelated deliveries, past the grace (a restarted process's re-check).
    clock.advance(60_000);
    await engine.tick();
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'waiting', nodeId: 'second' });
    expect(after.calls).toHaveLength(1);
    clock.advance(4 * 60_000);
    await engine.tick();
    expect((await s.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'expired' });
  });

  it('a delivery committed but never correlated (the receiver died) is correlated by a sweep after the grace', async () => {
    const path = dbPath();
    const s = await store(path);
    const clock = manualClock();
    const { open, after } = waitCapabilities();
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
      correlateGraceMs: 5_000,
    });
    const { session, token } = await waitingSession(engine);
    const d = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: token });
    expect((await engine.receive(d.delivery, d.rawBody)).status).toBe('inserted'); // the process died before correlating
    const other = await store(path);
    const restarted = newEngine({
      store: other,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: clock.now,
    });
    clock.advance(4_999); // the receiver may still be correlating it: left alone
    await restarted.tick();
    expect((await other.getSession(session.id))!.status).toBe('waiting');
    expect(after.calls).toHaveLength(0);
    clock.advance(1);
    await restarted.tick();
    expect((await other.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(after.calls).toEqual([{ event: 'SESSION_COMPLETE', credId: token }]);
    expect(await timelineCount(other, session.id, 'resumed')).toBe(1);
    // Consumed with the resume: no sweep claims it again.
    expect(
      await other.claimUncorrelatedDeliveries(clock.now() + 3_600_000, clock.now() + 3_700_000, 10),
    ).toEqual([]);
  });

  it('a delivery nobody waits for is marked correlated, and kept for a wait that begins later', async () => {
    const s = await store();
    const clock = manualClock();
    const after = fakeCapability('after', (i) => i);
    const engine = newEngine({
      store: s,
      flows: flowMap(lateWaitFlow()),
      capabilities: { after },
      now: clock.now,
    });
    const started = await engine.start({ flowId: 'late-wait', input: { token: 'tok-later' } });
    const d = delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-later' });
    await engine.receive(d.delivery, d.rawBody);
    await engine.correlate(d.delivery);
    clock.advance(60_000);
    expect(await s.claimUncorrelatedDeliveries(clock.now(), clock.now() + 1_000, 10)).toEqual([]);
    await engine.submit(started.id, 'intro', {});
    expect((await s.getSession(started.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
  });
});

describe('the engine without fakes of the store', () => {
  it('options passed as undefined keep their defaults (clock, lease, grace, instance id)', async () => {
    const s = await store();
    const { after } = waitCapabilities();
    const leases: Array<SessionRow | undefined> = [];
    // Reads its own session while it runs: the lease its runner holds.
    const open = fakeCapability('open', async (input) => {
      leases.push(await s.getSession(String(input.id)));
      return { token: `tok-${randomUUID()}`, ref: `ref-${randomUUID()}` };
    });
    const engine = newEngine({
      store: s,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      now: undefined,
      leaseMs: undefined,
      correlateGraceMs: undefined,
      instanceId: undefined,
    });
    const before = Date.now();
    const { session } = await waitingSession(engine);
    expect(session.createdAt).toBeGreaterThanOrEqual(before);
    expect(session.wakeAt).toBe(session.updatedAt + 10 * 60_000);
    // Parked: the lease is given back.
    expect(session).toMatchObject({ leaseOwner: null, leaseUntil: null });
    // While it ran: leased for 30 s (from its creation) to "<random instance id>:<run>".
    expect(leases[0]!.leaseOwner).toMatch(/^[0-9a-f]{8}:[0-9a-f]{8}:\d+$/);
    expect(leases[0]!.leaseUntil! - leases[0]!.createdAt).toBe(30_000);
    await engine.tick();
    expect((await s.getSession(session.id))!.status).toBe('waiting');

    // A received delivery is left to its receiver for 5 s before a sweep may claim it.
    const d = delivery({ eventType: 'APP_OPENED', docvTransactionToken: 'tok-unrelated' });
    const t0 = Date.now();
    await engine.receive(d.delivery, d.rawBody);
    const t1 = Date.now();
    expect(await s.claimUncorrelatedDeliveries(t0 + 4_999, t1 + 60_000, 10)).toEqual([]);
    const claimed = await s.claimUncorrelatedDeliveries(t1 + 5_000, t1 + 60_000, 10);
    expect(claimed.map((x) => x.deliveryId)).toEqual([d.delivery.id]);
  });

  it('survives a closed and re-opened store between steps (state is rows, not promises)', async () => {
    const path = dbPath();
    const s1 = await store(path);
    const { open, after } = waitCapabilities();
    const e1 = new FlowEngine({
      store: s1,
      flows: flowMap(waitFlow()),
      capabilities: { open, after },
      context: unusedContext(),
    });
    const { session, token } = await waitingSession(e1);
    await s1.close();
    const s2 = await store(path);
    const e2 = newEngine({ store: s2, flows: flowMap(waitFlow()), capabilities: { open, after } });
    await e2.correlate(
      delivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: token }).delivery,
    );
    expect((await s2.getSession(session.id))!).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect(await timelineCount(s2, session.id, 'resumed')).toBe(1);
  });
});
