/**
 * The four shipped flows, end to end at engine level with the real capabilities against a real sandbox
 * over sockets: screens are submitted with their pre-filled defaults, sandbox scenarios are triggered,
 * and the sandbox's own webhook deliveries reach the engine through a local receiver.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capabilities } from '../../src/connector/manifest.js';
import { type Flow, type FlowEngine, loadFlows } from '../../src/flows/index.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import type { SocureClient } from '../../src/socure/index.js';
import type { SessionData, SessionRow, Store } from '../../src/store/index.js';
import { eventually } from '../support/eventually.js';
import {
  delivery,
  FLOWS_DIR,
  knobs,
  newEngine,
  openStore,
  REAL_CAPABILITIES,
  sandboxClient,
  sandboxContext,
  screenDefaults,
  tempDir,
  timelineCount,
  trigger,
  WebhookReceiver,
} from './support.js';

let sb: RunningSandbox;
let receiver: WebhookReceiver;
let client: SocureClient;
let flows: Map<string, Flow>;
let tmp: ReturnType<typeof tempDir>;
let fileNo = 0;

let store: Store;
let engine: FlowEngine;

beforeAll(async () => {
  tmp = tempDir('socure-shipped-');
  sb = await startSandbox({ port: 0, deliveryRetryBaseMs: 50 });
  receiver = new WebhookReceiver();
  await receiver.start(sb);
  client = sandboxClient(sb);
  flows = await loadFlows(FLOWS_DIR, new Set(Object.keys(capabilities)));
});

afterAll(async () => {
  await receiver?.close();
  await client?.close();
  await sb?.close();
  tmp?.cleanup();
});

beforeEach(async () => {
  store = await openStore(join(tmp.dir, `shipped-${++fileNo}.db`));
  engine = newEngine({
    store,
    flows,
    capabilities: REAL_CAPABILITIES,
    context: sandboxContext(sb, client),
    demoDefaults: true, // as on the embedded sandbox: the stock persona pre-fills the forms
  });
  receiver.engine = engine;
});

afterEach(async () => {
  receiver.engine = undefined;
  await store.close();
});

async function state(id: string): Promise<{ session: SessionRow; data: SessionData }> {
  return { session: (await store.getSession(id))!, data: (await store.getSessionData(id))! };
}

async function completed(id: string): Promise<{ session: SessionRow; data: SessionData }> {
  await eventually(
    async () => (await store.getSession(id))?.status === 'completed',
    `session ${id} to complete`,
  );
  return state(id);
}

/** Waits until the receiver got `eventType` for the token, so no delivery of this test leaks into the next. */
async function delivered(token: string, eventType: string) {
  await eventually(
    () => receiver.forToken(token).some((r) => r.eventType === eventType),
    `${eventType} for ${token}`,
  );
}

async function startDocvQr(customerUserId: string) {
  const session = await engine.start({ flowId: 'docv-qr', customerUserId });
  expect(session).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
  const { data } = await state(session.id);
  const getUrl = data.outputs.getUrl as {
    docvTransactionToken: string;
    referenceId: string;
    url: string;
    qrcode: string;
  };
  expect(getUrl.qrcode).toMatch(/^data:image\/png;base64,/);
  expect(getUrl.url).toContain(getUrl.docvTransactionToken);
  expect(session.waitToken).toBe(getUrl.docvTransactionToken);
  expect(session.waitReferenceId).toBe(getUrl.referenceId);
  return { session, token: getUrl.docvTransactionToken, referenceId: getUrl.referenceId };
}

/** The sandbox's authoritative DocV result for a token, fetched separately from the flow. */
async function sandboxDecision(token: string) {
  const result = await client.docv.result(token);
  return result.documentVerification as { decision: { value: string }; reasonCodes: string[] };
}

async function submitDefaults(id: string, nodeId: string, overrides: Record<string, string> = {}) {
  const values = { ...(await screenDefaults(engine, id)), ...overrides };
  const res = await engine.submit(id, nodeId, values);
  if ('errors' in res) throw new Error(`screen ${nodeId} refused its values: ${JSON.stringify(res.errors)}`);
  return res.session;
}

describe('docv-qr (link or QR code)', () => {
  it('complete-accept → verified with the sandbox decision', async () => {
    const { session, token } = await startDocvQr('cu-qr-accept');
    await trigger(sb, token, 'complete-accept');
    const { session: done, data } = await completed(session.id);
    expect(done.outcome).toBe('verified');
    const truth = await sandboxDecision(token);
    expect(truth.decision.value).toBe('accept');
    expect(data.result).toMatchObject({
      decision: 'accept',
      reasonCodes: truth.reasonCodes,
      docvTransactionToken: token,
      documentType: { type: 'Drivers License' },
    });
    expect(
      (data.result as { documentData: { documentNumber: string } }).documentData.documentNumber,
    ).toBeTruthy();
    // The wait's output is the seed's webhook output, kept in the session data.
    expect(data.outputs.prompt).toMatchObject({
      rawResponse: { event: { eventType: 'VERIFICATION_COMPLETED', customerUserId: 'cu-qr-accept' } },
      credentialStatusObject: { credId: token, userId: 'cu-qr-accept', challenge: session.challengeId },
    });
    expect(await timelineCount(store, session.id, 'resumed')).toBe(1);
    await delivered(token, 'SESSION_COMPLETE');
    expect((await store.getSession(session.id))!.outcome).toBe('verified');
  });

  it('a session started without a customer user id works too (the reference is left out, not sent as null)', async () => {
    const session = await engine.start({ flowId: 'docv-qr' });
    expect(session).toMatchObject({ status: 'waiting', nodeId: 'prompt', customerUserId: null });
    const token = ((await state(session.id)).data.outputs.getUrl as { docvTransactionToken: string })
      .docvTransactionToken;
    await trigger(sb, token, 'complete-accept');
    expect((await completed(session.id)).session.outcome).toBe('verified');
    await delivered(token, 'SESSION_COMPLETE');
  });

  it('complete-reject → rejected with the reason codes', async () => {
    const { session, token } = await startDocvQr('cu-qr-reject');
    await trigger(sb, token, 'complete-reject');
    const { session: done, data } = await completed(session.id);
    expect(done).toMatchObject({ outcome: 'rejected', nodeId: 'rejected' });
    expect(data.result).toMatchObject({ decision: 'reject', docvTransactionToken: token });
    expect((data.result as { reasonCodes: string[] }).reasonCodes).toContain('R827');
    await delivered(token, 'SESSION_COMPLETE');
  });

  it('complete-review takes its end; complete-resubmit asks for new photos (a new attempt in the session)', async () => {
    const review = await startDocvQr('cu-qr-review');
    await trigger(sb, review.token, 'complete-review');
    expect((await completed(review.session.id)).session).toMatchObject({
      outcome: 'review',
      nodeId: 'review',
    });
    const resubmit = await startDocvQr('cu-qr-resubmit');
    await trigger(sb, resubmit.token, 'complete-resubmit');
    await eventually(
      async () => (await store.getSession(resubmit.session.id))?.status === 'input',
      'the resubmit screen',
    );
    expect((await store.getSession(resubmit.session.id))!).toMatchObject({
      nodeId: 'resubmit',
      outcome: null,
    });
    const again = await submitDefaults(resubmit.session.id, 'resubmit');
    expect(again).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
    expect(again.waitToken).not.toBe(resubmit.token);
    await delivered(review.token, 'SESSION_COMPLETE');
    await delivered(resubmit.token, 'SESSION_COMPLETE');
  });

  it('decline (CONSENT_DECLINED) → the declined branch', async () => {
    const { session, token } = await startDocvQr('cu-qr-decline');
    await trigger(sb, token, 'decline');
    const { session: done, data } = await completed(session.id);
    expect(done).toMatchObject({ outcome: 'failed', nodeId: 'declined' });
    expect(data.result).toEqual({ reason: 'consent_declined', docvTransactionToken: token });
  });

  it('expire (SESSION_EXPIRED) → the expired branch', async () => {
    const { session, token } = await startDocvQr('cu-qr-expire');
    await trigger(sb, token, 'expire');
    const { session: done, data } = await completed(session.id);
    expect(done).toMatchObject({ outcome: 'expired', nodeId: 'expired' });
    expect(data.result).toEqual({ reason: 'session_expired', docvTransactionToken: token });
  });

  it('upload-failed (DOCUMENTS_UPLOAD_FAILED) → the upload-failed branch', async () => {
    const { session, token } = await startDocvQr('cu-qr-failed');
    await trigger(sb, token, 'upload-failed');
    expect((await completed(session.id)).session).toMatchObject({
      outcome: 'failed',
      nodeId: 'uploadFailed',
    });
  });

  it('out of order: SESSION_COMPLETE delivered before VERIFICATION_COMPLETED still ends with the sandbox decision', async () => {
    const { session, token } = await startDocvQr('cu-qr-ooo');
    await knobs(sb, token, { outOfOrder: true });
    await trigger(sb, token, 'complete-reject');
    const { session: done, data } = await completed(session.id);
    await delivered(token, 'DOCUMENTS_UPLOADED');
    const order = receiver.forToken(token).map((r) => r.eventType);
    expect(order.indexOf('SESSION_COMPLETE')).toBeLessThan(order.indexOf('VERIFICATION_COMPLETED'));
    // It resumed on SESSION_COMPLETE and fetched the result from ID+ instead of trusting a webhook body.
    const resumed = (await store.listTimeline(session.id)).filter((e) => e.type === 'resumed');
    expect(resumed.map((e) => e.detail.eventType)).toEqual(['SESSION_COMPLETE']);
    const truth = await sandboxDecision(token);
    expect(done.outcome).toBe('rejected');
    expect(data.result).toMatchObject({ decision: truth.decision.value, reasonCodes: truth.reasonCodes });
  });

  it('SESSION_COMPLETE before the result exists: waits for VERIFICATION_COMPLETED, then takes the sandbox decision', async () => {
    const { session, token, referenceId } = await startDocvQr('cu-qr-early-complete');
    // Socure's SESSION_COMPLETE overtakes the result: ID+ has no decision yet.
    const early = delivery({ eventType: 'SESSION_COMPLETE', docvTransactionToken: token, referenceId });
    expect((await engine.receive(early.delivery, early.rawBody)).status).toBe('inserted');
    await engine.correlate(early.delivery);
    const waiting = await state(session.id);
    expect(waiting.session).toMatchObject({ status: 'waiting', nodeId: 'awaitVerification' });
    expect(waiting.data.outputs.fetchResult).toMatchObject({
      rawResponse: { documentVerification: { reasonCodes: [] } },
    });

    await trigger(sb, token, 'complete-accept');
    const { session: done, data } = await completed(session.id);
    expect(done).toMatchObject({ outcome: 'verified', nodeId: 'verified' });
    const truth = await sandboxDecision(token);
    expect(data.result).toMatchObject({ decision: truth.decision.value, reasonCodes: truth.reasonCodes });
    await delivered(token, 'SESSION_COMPLETE');
    // The sandbox's own SESSION_COMPLETE was a duplicate of the early one (same token + event type).
    expect(receiver.forToken(token).find((r) => r.eventType === 'SESSION_COMPLETE')!.committed).toBe(
      'duplicate',
    );
    expect(
      (await store.listTimeline(session.id))
        .filter((e) => e.type === 'resumed')
        .map((e) => e.detail.eventType),
    ).toEqual(['SESSION_COMPLETE', 'VERIFICATION_COMPLETED']);
  });

  it('duplicate deliveries (the sandbox sends each event twice) resume the session once', async () => {
    const { session, token } = await startDocvQr('cu-qr-dup');
    await knobs(sb, token, { duplicate: true });
    await trigger(sb, token, 'complete-accept');
    await completed(session.id);
    await eventually(
      () => receiver.forToken(token).filter((r) => r.eventType === 'SESSION_COMPLETE').length === 2,
      'both copies',
    );
    const vc = receiver.forToken(token).filter((r) => r.eventType === 'VERIFICATION_COMPLETED');
    expect(vc.map((r) => r.committed)).toEqual(['inserted', 'duplicate']);
    expect(vc[0]!.deliveryId).toBe(vc[1]!.deliveryId);
    expect(await timelineCount(store, session.id, 'resumed')).toBe(1);
    expect(await timelineCount(store, session.id, 'completed')).toBe(1);
    expect((await store.getSession(session.id))!.outcome).toBe('verified');
  });

  it('a timeout fires the timedOut branch (injected clock)', async () => {
    let now = Date.now();
    const timed = newEngine({
      store,
      flows,
      capabilities: REAL_CAPABILITIES,
      context: sandboxContext(sb, client),
      now: () => now,
    });
    receiver.engine = timed;
    const session = await timed.start({ flowId: 'docv-qr', customerUserId: 'cu-qr-timeout' });
    expect(session.status).toBe('waiting');
    now += 30 * 60_000;
    await timed.tick();
    const { session: done, data } = await state(session.id);
    expect(done).toMatchObject({ status: 'completed', outcome: 'expired', nodeId: 'timedOut' });
    expect(data.result).toMatchObject({ reason: 'timeout' });
  });
});

describe('docv-sms (SMS prompt)', () => {
  it('the pre-filled phone number → SMS → complete-accept → verified', async () => {
    const started = await engine.start({
      flowId: 'docv-sms',
      customerUserId: 'cu-sms-1',
      input: { mobileNumber: '+13475550100' },
    });
    expect(started).toMatchObject({ status: 'input', nodeId: 'phone' });
    expect(await screenDefaults(engine, started.id)).toEqual({ phoneNumber: '+13475550100' });
    const waiting = await submitDefaults(started.id, 'phone');
    expect(waiting).toMatchObject({ status: 'waiting', nodeId: 'checkDevice' });
    const initiate = (await state(started.id)).data.outputs.initiate as {
      credId: string;
      phoneNumber: string;
      referenceId: string;
    };
    expect(initiate.phoneNumber).toBe('+13475550100');
    expect(waiting.waitToken).toBe(initiate.credId);

    await trigger(sb, initiate.credId, 'complete-accept');
    const { session, data } = await completed(started.id);
    expect(session).toMatchObject({ outcome: 'verified', nodeId: 'verified' });
    const truth = await sandboxDecision(initiate.credId);
    expect(data.result).toEqual({
      decision: truth.decision.value,
      reasonCodes: truth.reasonCodes,
      referenceId: initiate.referenceId,
      docvTransactionToken: initiate.credId,
    });
    await delivered(initiate.credId, 'SESSION_COMPLETE');
  });

  it('a bad phone number: the form refuses what is not a phone; Socure-side refusal goes back to the screen', async () => {
    const started = await engine.start({ flowId: 'docv-sms', customerUserId: 'cu-sms-2' });
    expect(await screenDefaults(engine, started.id)).toEqual({ phoneNumber: '' });
    expect(await engine.submit(started.id, 'phone', { phoneNumber: '' })).toEqual({
      errors: { phoneNumber: { code: 'required' } },
    });
    expect(await engine.submit(started.id, 'phone', { phoneNumber: 'call me' })).toEqual({
      errors: { phoneNumber: { code: 'tel' } },
    });
    // Looks like a phone number, is not one: the capability fails and onError returns to the screen.
    const back = await engine.submit(started.id, 'phone', { phoneNumber: '123456' });
    expect('session' in back && back.session).toMatchObject({ status: 'input', nodeId: 'phone' });
    expect((await state(started.id)).data.outputs.initiate).toMatchObject({
      error: { kind: 'SocureInputError', field: 'registerInitiate.parameters.phoneNumber' },
    });
    // …and a corrected number goes on.
    const waiting = await engine.submit(started.id, 'phone', { phoneNumber: '+1 347 555 0100' });
    expect('session' in waiting && waiting.session).toMatchObject({
      status: 'waiting',
      nodeId: 'checkDevice',
    });
    const { credId } = (await state(started.id)).data.outputs.initiate as { credId: string };
    await trigger(sb, credId, 'decline');
    expect((await completed(started.id)).session).toMatchObject({ outcome: 'failed', nodeId: 'declined' });
  });
});

describe('idplus-score', () => {
  async function scoreWith(overrides: Record<string, string>) {
    const started = await engine.start({ flowId: 'idplus-score', customerUserId: 'cu-score' });
    expect(started).toMatchObject({ status: 'input', nodeId: 'form' });
    await submitDefaults(started.id, 'form', overrides);
    return state(started.id);
  }

  it('the pre-filled stock persona → accept → verified, with every score', async () => {
    const { session, data } = await scoreWith({});
    expect(session).toMatchObject({ status: 'completed', outcome: 'verified', nodeId: 'accepted' });
    const result = data.result as { decision: string; referenceId: string; scores: Record<string, unknown> };
    expect(result.decision).toBe('accept');
    expect(result.referenceId).toBeTruthy();
    expect(result.scores).toMatchObject({
      decision: { value: 'accept' },
      kyc: expect.any(Object),
      fraud: expect.any(Object),
    });
    expect(data.outputs.form).toMatchObject({ firstName: 'Dwayne', surName: 'Denver', country: 'US' });
  });

  it('surName Reject → rejected', async () => {
    const { session, data } = await scoreWith({ surName: 'Reject' });
    expect(session).toMatchObject({ outcome: 'rejected', nodeId: 'rejectedEnd' });
    expect(data.result).toMatchObject({ decision: 'reject' });
  });

  it('surName Refer → referred (review)', async () => {
    const { session, data } = await scoreWith({ surName: 'Refer' });
    expect(session).toMatchObject({ outcome: 'review', nodeId: 'referred' });
    expect(data.result).toMatchObject({ decision: 'refer' });
  });

  it('input Socure refuses goes back to the form with the error', async () => {
    const { session, data } = await scoreWith({ country: 'USA' });
    expect(session).toMatchObject({ status: 'input', nodeId: 'form' });
    expect(data.outputs.score).toMatchObject({ error: { message: expect.stringMatching(/country/i) } });
  });
});

describe('step-up', () => {
  it('the stock persona is accepted without a document check', async () => {
    const started = await engine.start({ flowId: 'step-up', customerUserId: 'cu-step-1' });
    const done = await submitDefaults(started.id, 'form');
    expect(done).toMatchObject({ status: 'completed', outcome: 'verified', nodeId: 'verified' });
    const { data } = await state(started.id);
    expect(data.result).toMatchObject({ decision: 'accept', steppedUp: false });
    expect(data.outputs.getUrl).toBeUndefined();
  });

  it.each([
    ['complete-accept', 'accept', 'verified', 'verifiedAfterDocv'],
    ['complete-reject', 'reject', 'rejected', 'rejectedAfterDocv'],
  ] as const)(
    'refer → DocV %s → ID+ again with the DocV token → %s',
    async (scenario, decision, outcome, end) => {
      const started = await engine.start({ flowId: 'step-up', customerUserId: `cu-step-${scenario}` });
      const waiting = await submitDefaults(started.id, 'form', { surName: 'Refer' });
      expect(waiting).toMatchObject({ status: 'waiting', nodeId: 'prompt' });
      const { data: mid } = await state(started.id);
      expect(mid.outputs.score).toMatchObject({ rawResponse: { decision: { value: 'refer' } } });
      const token = (mid.outputs.getUrl as { docvTransactionToken: string }).docvTransactionToken;
      expect(waiting.waitToken).toBe(token);

      await trigger(sb, token, scenario);
      const { session, data } = await completed(started.id);
      const rescore = (
        data.outputs.rescore as {
          rawResponse: {
            referenceId: string;
            decision: { value: string };
            documentVerification: { decision: { value: string } };
          };
        }
      ).rawResponse;
      // The second ID+ call carried the DocV token: its documentVerification block is the sandbox's result,
      // and the sandbox settles a refer with it.
      expect(rescore.documentVerification.decision.value).toBe((await sandboxDecision(token)).decision.value);
      expect(rescore.decision.value).toBe(decision);
      expect(session).toMatchObject({ outcome, nodeId: end });
      expect(data.result).toMatchObject({
        decision,
        steppedUp: true,
        docvTransactionToken: token,
        referenceId: rescore.referenceId,
      });
      await delivered(token, 'SESSION_COMPLETE');
    },
  );

  it('refer → the person declines the document check → rejected', async () => {
    const started = await engine.start({ flowId: 'step-up', customerUserId: 'cu-step-3' });
    await submitDefaults(started.id, 'form', { surName: 'Refer' });
    const token = ((await state(started.id)).data.outputs.getUrl as { docvTransactionToken: string })
      .docvTransactionToken;
    await trigger(sb, token, 'decline');
    const { session, data } = await completed(started.id);
    expect(session).toMatchObject({ outcome: 'rejected', nodeId: 'rejected' });
    expect(data.result).toMatchObject({ decision: 'reject' });
  });
});
