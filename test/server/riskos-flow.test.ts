/**
 * The shipped `riskos-onboarding` flow on the real service with its embedded sandbox, over sockets: RiskOS
 * evaluations, the paused DocV step-up, the sandbox's RiskOS webhooks reaching the service's receiver (the same
 * route as DocV's, recognising the RiskOS envelope), the inbox and the correlation by eval_id / DocV token.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  startTestService,
  type TestService,
  triggerSandbox,
  waitForCompletion,
} from './helpers.js';

const JAX = {
  givenName: 'Jax',
  familyName: 'Myra',
  dateOfBirth: '1990-04-04',
  nationalId: '666-99-0266',
  email: 'jax.myra@example.com',
  phoneNumber: '+13475550100',
  addressLine1: '1301 Main Street',
  locality: 'Brownsville',
  majorAdminDivision: 'TN',
  postalCode: '38012',
  country: 'US',
};
const STANLEY = {
  ...JAX,
  givenName: 'Stanley',
  familyName: 'Brown',
  dateOfBirth: '1944-03-30',
  nationalId: '666478381',
};

let t: TestService;

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

async function start(input: Record<string, string>) {
  return createSession(t, { flow: 'riskos-onboarding', input });
}

/** The session once it waits on the step-up: its eval_id (the reference key) and DocV token. */
async function waiting(sessionId: string) {
  return eventually(async () => {
    const s = await t.service.store.getSession(sessionId);
    return s?.status === 'waiting' && s.waitReferenceId && s.waitToken ? s : undefined;
  }, `session ${sessionId} to wait on its RiskOS step-up`);
}

async function resultOf(sessionId: string) {
  const row = await waitForCompletion(t, sessionId);
  const data = await t.service.store.getSessionData(sessionId);
  return { outcome: row.outcome, result: data?.result as Record<string, unknown> };
}

describe('riskos-onboarding on the embedded sandbox', () => {
  it('is listed among the flows', () => {
    expect(t.service.flows.map((f) => f.id)).toContain('riskos-onboarding');
  });

  it('Stanley Brown is accepted by the first evaluation, without a step-up', async () => {
    const s = await start(STANLEY);
    const { outcome, result } = await resultOf(s.id);
    expect(outcome).toBe('verified');
    expect(result).toMatchObject({ decision: 'ACCEPT', steppedUp: false });
    expect(String(result.evalId)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the last name Reject is rejected; Review goes to review', async () => {
    const rejected = await start({ ...JAX, familyName: 'Reject', nationalId: '123-45-6789' });
    expect(await resultOf(rejected.id)).toMatchObject({
      outcome: 'rejected',
      result: { decision: 'REJECT' },
    });
    const review = await start({ ...JAX, familyName: 'Review', nationalId: '123-45-6789' });
    expect(await resultOf(review.id)).toMatchObject({ outcome: 'review', result: { decision: 'REVIEW' } });
  });

  it('Jax Myra pauses for DocV; the capture completes; evaluation_completed resumes the session, which re-fetches ACCEPT', async () => {
    const s = await start(JAX);
    const session = await waiting(s.id);
    const page = await t.http(s.path);
    expect(page.text).toContain(`/capture/${session.waitToken}`);
    expect(page.text).toContain('data:image/png;base64,');
    // The hand-off's link was texted too (the flow sends send_message with the mobile number).
    const sms = await request(`${t.service.sandbox!.url}/sandbox/sms`);
    const { messages } = (await sms.body.json()) as {
      messages: Array<{ to: string; body: string; token: string }>;
    };
    expect(messages.find((m) => m.token === session.waitToken)).toMatchObject({ to: '+13475550100' });
    // `sandbox trigger` by eval_id drives the step-up's DocV transaction.
    await triggerSandbox(t, session.waitReferenceId!, 'complete-accept');
    const { outcome, result } = await resultOf(s.id);
    expect(outcome).toBe('verified');
    expect(result).toMatchObject({
      decision: 'ACCEPT',
      steppedUp: true,
      evalId: session.waitReferenceId,
      docvTransactionToken: session.waitToken,
    });
    const timeline = await t.service.store.listTimeline(s.id);
    expect(timeline.find((e) => e.type === 'resumed')?.detail).toMatchObject({
      eventType: 'evaluation_completed',
    });
    // Stored in the inbox: the step-up's case notes and the completion, under the eval_id and the token.
    const inbox = await t.service.store.findDeliveries(
      { referenceId: session.waitReferenceId!, docvTransactionToken: session.waitToken! },
      ['case_notes_added', 'evaluation_completed'],
    );
    expect(inbox.map((d) => d.eventType)).toEqual(
      expect.arrayContaining(['case_notes_added', 'evaluation_completed']),
    );
    expect(inbox.find((d) => d.eventType === 'evaluation_completed')?.consumedBy).toBe(s.id);
  });

  it('a DocV reject after the step-up ends rejected', async () => {
    const s = await start({ ...JAX, familyName: 'Expired' });
    // "Expired" is not a RiskOS persona name: the SSN and birth date make it Jax's step-up, the DocV magic rejects.
    const session = await waiting(s.id);
    await triggerSandbox(t, session.waitToken!, 'complete-reject');
    expect(await resultOf(s.id)).toMatchObject({
      outcome: 'rejected',
      result: { decision: 'REJECT', steppedUp: true },
    });
  });
});

describe('the Socure webhook route recognises RiskOS deliveries', () => {
  async function post(body: unknown, authorization?: string) {
    const res = await request(t.service.webhookUrl.replace(t.service.publicUrl, t.service.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  }
  const secret = () => t.service.store.getOrCreateSetting('sandbox-webhook-secret', () => 'unused');
  const delivery = (id: string) => ({
    event_id: id,
    event_at: new Date().toISOString(),
    event_type: 'decision_update',
    data: { eval_id: `eval-${id}`, decision: 'REJECT' },
  });

  it('accepts Bearer and Basic (password = the secret), refuses a wrong one', async () => {
    const s = await secret();
    expect((await post(delivery('d-bearer'), `Bearer ${s}`)).status).toBe(200);
    const basic = Buffer.from(`riskos:${s}`).toString('base64');
    expect((await post(delivery('d-basic'), `Basic ${basic}`)).status).toBe(200);
    const wrong = await post(delivery('d-wrong'), 'Bearer not-the-secret');
    expect(wrong.status).toBe(401);
  });

  it('dedupes a redelivery on event_id and refuses a RiskOS body without event_id', async () => {
    const s = await secret();
    expect((await post(delivery('d-dup'), `Bearer ${s}`)).json).toMatchObject({ duplicate: false });
    expect((await post(delivery('d-dup'), `Bearer ${s}`)).json).toMatchObject({ duplicate: true });
    const bad = await post({ event_type: 'evaluation_completed', data: {} }, `Bearer ${s}`);
    expect(bad).toMatchObject({ status: 400, json: { error: 'missing_id' } });
  });
});
