/**
 * The sandbox's RiskOS over real sockets: the Evaluation API behind Bearer keys per environment, the
 * `consumer_onboarding` workflow on the sandbox's ID+ logic, a paused DocV step-up that the capture app (here its
 * trigger) completes, and the RiskOS webhooks through the same delivery machinery (retries, secret, knobs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { verifyAndParseRiskOs } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import { http, type Plan, postJson, type Receiver, SECRET, startReceiver } from './docv-support.js';

const JAX = {
  given_name: 'Jax',
  family_name: 'Myra',
  national_id: '666990266',
  date_of_birth: '1990-04-04',
  email: 'jax@example.com',
  phone_number: '+13475550100',
  address: {
    line_1: '1 Main St',
    locality: 'Brownsville',
    major_admin_division: 'TN',
    postal_code: '38012',
    country: 'US',
  },
};
const STANLEY = {
  ...JAX,
  given_name: 'Stanley',
  family_name: 'Brown',
  national_id: '666478381',
  date_of_birth: '1944-03-30',
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function rig(plan?: Plan, webhook: Record<string, unknown> = {}) {
  const receiver: Receiver = await startReceiver(plan);
  const docvReceiver: Receiver = await startReceiver();
  const sandbox = await startSandbox({
    port: 0,
    deliveryRetryBaseMs: 50,
    webhooks: [
      { url: receiver.url, secret: SECRET, name: 'riskos', subscriptionType: 'RiskOS', ...webhook },
      { url: docvReceiver.url, secret: SECRET, name: 'docv' },
    ],
  });
  closers.push(
    () => sandbox.close(),
    () => receiver.close(),
    () => docvReceiver.close(),
  );
  const evaluate = (body: unknown, key = sandbox.keys.sandbox.riskOsKey) =>
    postJson(`${sandbox.url}/api/evaluation`, body, { authorization: `Bearer ${key}` });
  const get = (evalId: string, key = sandbox.keys.sandbox.riskOsKey) =>
    http(`${sandbox.url}/api/evaluation/${evalId}`, { headers: { authorization: `Bearer ${key}` } });
  return { sandbox, receiver, docvReceiver, evaluate, get };
}

const request = (individual: unknown, extra: Record<string, unknown> = {}) => ({
  workflow: 'consumer_onboarding',
  id: `app-${Math.random().toString(36).slice(2)}`,
  timestamp: new Date().toISOString(),
  data: { individual },
  ...extra,
});

const eventsOf = (r: Receiver) => r.received.map((d) => (d.body as { event_type: string }).event_type);

describe('RiskOS Evaluation API on the sandbox', () => {
  it('needs Bearer with a RiskOS key; keys are per environment', async () => {
    const r = await rig();
    expect((await r.evaluate(request(STANLEY), 'nope')).status).toBe(401);
    expect((await r.evaluate(request(STANLEY), r.sandbox.keys.sandbox.idPlusKey)).status).toBe(401);
    const res = await postJson(`${r.sandbox.url}/api/evaluation`, request(STANLEY), {
      authorization: `SocureApiKey ${r.sandbox.keys.sandbox.riskOsKey}`,
    });
    expect(res.status).toBe(401);
    // The RiskOS key does not call ID+ either.
    const idplus = await postJson(
      `${r.sandbox.url}/api/3.0/EmailAuthScore`,
      { modules: ['kyc'] },
      {
        authorization: `SocureApiKey ${r.sandbox.keys.sandbox.riskOsKey}`,
      },
    );
    expect(idplus.status).toBe(401);
    // An evaluation of production is not visible with the sandbox key.
    const prod = await r.evaluate(request(STANLEY), r.sandbox.keys.production.riskOsKey);
    expect(prod.status).toBe(200);
    expect(prod.json.environment_name).toBe('production');
    expect((await r.get(prod.json.eval_id)).status).toBe(404);
    expect((await r.get(prod.json.eval_id, r.sandbox.keys.production.riskOsKey)).status).toBe(200);
  });

  it.each([
    [{ id: 'x', timestamp: new Date().toISOString(), data: {} }, 'workflow'],
    [{ workflow: 'other', id: 'x', timestamp: new Date().toISOString(), data: {} }, 'workflow'],
    [{ workflow: 'consumer_onboarding', timestamp: new Date().toISOString(), data: {} }, 'id'],
    [{ workflow: 'consumer_onboarding', id: 'x', timestamp: 'today', data: {} }, 'timestamp'],
    [{ workflow: 'consumer_onboarding', id: 'x', timestamp: new Date().toISOString() }, 'data'],
  ])('refuses %j naming %s', async (body, field) => {
    const r = await rig();
    const res = await r.evaluate(body);
    expect(res.status).toBe(400);
    expect(res.json.data.parameters).toEqual([field]);
  });

  it('Stanley Brown: 200 ACCEPT, and evaluation_completed to the RiskOS subscription only, with Bearer', async () => {
    const r = await rig();
    const res = await r.evaluate(request(STANLEY));
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe(res.json.eval_id);
    expect(res.json).toMatchObject({
      eval_status: 'evaluation_completed',
      decision: 'ACCEPT',
      status: 'CLOSED',
    });
    const got = await eventually(() => r.receiver.received[0], 'the RiskOS delivery');
    expect(got.headers.authorization).toBe(`Bearer ${SECRET}`);
    const delivery = verifyAndParseRiskOs({
      headers: got.headers,
      rawBody: got.raw,
      auth: { bearer: SECRET },
    });
    expect(delivery).toMatchObject({ known: true, eventType: 'evaluation_completed', authenticated: true });
    expect(delivery.keys.evalId).toBe(res.json.eval_id);
    expect(r.docvReceiver.received).toHaveLength(0);
  });

  it('Jax Myra: 201 paused with a SocureDocRequest enrichment; the capture → case notes, then evaluation_completed', async () => {
    const r = await rig();
    const res = await r.evaluate(request(JAX));
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      eval_status: 'evaluation_paused',
      decision: 'REVIEW',
      status: 'ON_HOLD',
    });
    const doc = res.json.data_enrichments.find(
      (e: { enrichment_provider: string }) => e.enrichment_provider === 'SocureDocRequest',
    );
    const token = doc.response.data.docvTransactionToken as string;
    expect(doc.response.data.url).toContain(`/capture/${token}`);
    await eventually(() => eventsOf(r.receiver).includes('evaluation_paused'), 'evaluation_paused');
    const trig = await postJson(`${r.sandbox.url}/sandbox/transactions/${token}/trigger`, {
      scenario: 'complete-accept',
    });
    expect(trig.status).toBe(200);
    await eventually(() => eventsOf(r.receiver).includes('evaluation_completed'), 'evaluation_completed');
    const types = eventsOf(r.receiver);
    expect(types[0]).toBe('evaluation_paused');
    expect(types.at(-1)).toBe('evaluation_completed');
    const notes = r.receiver.received
      .map((d) => d.body as { event_type: string; data: { notes?: string; reviewer_id?: string } })
      .filter((b) => b.event_type === 'case_notes_added');
    expect(notes.map((n) => n.data.notes)).toEqual([
      'Capture App Opened',
      'Document Front Uploaded',
      'Document Back Uploaded',
      'Document Selfie Uploaded',
      'Documents Upload Successful',
      'Verification Completed',
      'Session Complete',
    ]);
    expect(notes.every((n) => n.data.reviewer_id === 'Webhook')).toBe(true);
    const completed = r.receiver.received.at(-1)!.body as { data: { decision: string; eval_status: string } };
    expect(completed.data).toMatchObject({ decision: 'ACCEPT', eval_status: 'evaluation_completed' });
    expect((await r.get(res.json.eval_id)).json.decision).toBe('ACCEPT');
    // The step-up's DocV events go to RiskOS only.
    expect(r.docvReceiver.received).toHaveLength(0);
  });

  it('a declined capture completes the evaluation with REJECT', async () => {
    const r = await rig();
    const res = await r.evaluate(request(JAX));
    await postJson(`${r.sandbox.url}/sandbox/transactions/${res.json.eval_id}/trigger`, {
      scenario: 'decline',
    });
    const after = await eventually(async () => {
      const got = await r.get(res.json.eval_id);
      return got.json.eval_status === 'evaluation_completed' && got.json;
    }, 'the evaluation to complete');
    expect(after).toMatchObject({ decision: 'REJECT' });
    expect(after.tags).toContain('DocV Consent Declined');
  });

  it('retries a failing RiskOS receiver with the same event_id; Basic auth with a user name; duplicate knob', async () => {
    const r = await rig((n) => (n === 0 ? 503 : 200), { username: 'riskos-user' });
    await r.evaluate(request(STANLEY));
    const got = await eventually(() => r.receiver.received.length >= 2 && r.receiver.received, 'a retry');
    const ids = got.map((d) => (d.body as { event_id: string }).event_id);
    expect(ids[0]).toBe(ids[1]);
    const expected = `Basic ${Buffer.from(`riskos-user:${SECRET}`).toString('base64')}`;
    expect(got[1]!.headers.authorization).toBe(expected);
    const delivery = verifyAndParseRiskOs({
      headers: got[1]!.headers,
      rawBody: got[1]!.raw,
      auth: { basic: { username: 'riskos-user', password: SECRET } },
    });
    expect(delivery.authenticated).toBe(true);
    const subs = (await http(`${r.sandbox.url}/admin/api/subscriptions`)).json.subscriptions as Array<{
      id: string;
      subscriptionType: string;
    }>;
    const riskos = subs.find((s) => s.subscriptionType === 'RiskOS')!;
    const log = await eventually(async () => {
      const entries = (await http(`${r.sandbox.url}/admin/api/subscriptions/${riskos.id}/deliveries`)).json
        .deliveries;
      return entries.some((e: { status: string }) => e.status === 'delivered') && entries;
    }, 'the delivery log');
    expect(log[0]).toMatchObject({ eventType: 'evaluation_completed', status: 'delivered' });
    const knob = await postJson(`${r.sandbox.url}/admin/api/subscriptions/${riskos.id}/knobs`, {
      duplicate: true,
    });
    expect(knob.status, knob.text).toBe(200);
    const before = r.receiver.received.length;
    await r.evaluate(request(STANLEY));
    await eventually(() => r.receiver.received.length >= before + 2, 'the duplicate');
    const last = r.receiver.received.slice(before).map((d) => (d.body as { event_id: string }).event_id);
    expect(last[0]).toBe(last[1]);
  });

  it('PUT state sends decision_update; PATCH refuses a completed evaluation', async () => {
    const r = await rig();
    const res = await r.evaluate(request(STANLEY));
    const auth = { authorization: `Bearer ${r.sandbox.keys.sandbox.riskOsKey}` };
    const put = await http(`${r.sandbox.url}/api/evaluation/${res.json.eval_id}/state`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        workflow: 'consumer_onboarding',
        decision: 'REJECT',
        status: 'CLOSED',
        notes: 'manual',
      }),
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json.decision).toBe('REJECT');
    await eventually(() => eventsOf(r.receiver).includes('decision_update'), 'decision_update');
    const patch = await http(`${r.sandbox.url}/api/evaluation/${res.json.eval_id}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { individual: { email: 'x@example.com' } } }),
    });
    expect(patch.status).toBe(400);
  });

  it('the admin page offers the RiskOS subscription type and shows the RiskOS key', async () => {
    const r = await rig();
    const page = await http(`${r.sandbox.url}/admin`);
    expect(page.text).toContain('<option>RiskOS</option>');
    expect(page.text).toContain(r.sandbox.keys.sandbox.riskOsKey);
  });
});
