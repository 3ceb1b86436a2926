/**
 * A RiskOS-only deployment: the real service configured from SOCURE_RISKOS_KEY / SOCURE_RISKOS_URL alone (no ID+
 * key), talking to a separate sandbox that stands in for Socure — no embedded sandbox. The RiskOS flow runs through
 * the sessions API and the hosted pages to its end; ID+ and DocV flows fail their Socure step with a clear
 * configuration error (in the timeline, never a crash, never a request to Socure) and go where their flow sends
 * a failed step.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServiceSettings } from '../../src/server/config.js';
import { describeProducts } from '../../src/server/socure-products.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  PERSONA_FORM,
  startRealKeyService,
  submitScreen,
  type TestService,
  triggerScenario,
  waitForCompletion,
} from './helpers.js';

/** Socure's RiskOS persona accepted by consumer_onboarding (README, RiskOS magic inputs). */
const STANLEY_BROWN = {
  givenName: 'Stanley',
  familyName: 'Brown',
  dateOfBirth: '1944-03-30',
  nationalId: '666-47-8381',
  email: 'stanley.brown@example.com',
  phoneNumber: '+13475550100',
  addressLine1: '1301 Main Street',
  locality: 'Brownsville',
  majorAdminDivision: 'TN',
  postalCode: '38012',
  country: 'US',
};

/** Socure's RiskOS persona whose evaluation pauses for a DocV step-up. */
const JAX_MYRA = {
  ...STANLEY_BROWN,
  givenName: 'Jax',
  familyName: 'Myra',
  dateOfBirth: '1990-04-04',
  nationalId: '666-99-0266',
};

const NO_ID_PLUS_KEY = 'no ID+ key configured: set SOCURE_ID_PLUS_KEY';
/** The secret the stand-in's RiskOS subscription sends as its Bearer token. */
const WEBHOOK_SECRET = 'riskos-only-webhook-secret-1';

let t: Awaited<ReturnType<typeof startRealKeyService>>;
let riskOsKey: string;

beforeAll(async () => {
  t = await startRealKeyService((socure) => {
    riskOsKey = socure.keys.sandbox.riskOsKey;
    // Configured as an operator would: the RiskOS variables only.
    const { connector } = resolveServiceSettings({
      SOCURE_RISKOS_KEY: socure.keys.sandbox.riskOsKey,
      SOCURE_RISKOS_URL: socure.url,
    });
    return { connector, webhookSecrets: [WEBHOOK_SECRET] };
  });
  // What an operator pastes into the RiskOS console: the service's webhook URL, its secret as Bearer.
  await t.socure.addWebhook({
    url: t.service.webhookUrl.replace(t.service.publicUrl, t.service.url),
    secret: WEBHOOK_SECRET,
    name: 'socure-connector (RiskOS)',
    subscriptionType: 'RiskOS',
  });
});
afterAll(async () => {
  await t?.close();
});

/** The signed page path's redirects followed (303s), up to a bound. */
async function follow(tt: TestService, first: { status: number; headers: Record<string, unknown> }) {
  let res = first as Awaited<ReturnType<TestService['http']>>;
  for (let hops = 0; hops < 5 && res.status === 303; hops++)
    res = await tt.http(String(res.headers.location));
  return res;
}

/** Socure calls the engine audited for a session (chained first, so they are listed). */
async function socureCallsOf(sessionId: string) {
  await t.service.store.chainAudit(10_000);
  const entries = await t.service.store.listAudit({ limit: 10_000 });
  return entries.filter((e) => e.type === 'socure.call' && e.detail.sessionId === sessionId);
}

describe('a RiskOS-only deployment (SOCURE_RISKOS_KEY, no SOCURE_ID_PLUS_KEY)', () => {
  it('talks to real RiskOS (the stand-in), not to an embedded sandbox; RiskOS is its only product', () => {
    expect(t.service.sandbox).toBeUndefined();
    expect(t.service.sandboxUrls).toBeUndefined();
    expect(t.service.socureProducts).toEqual({ riskOs: t.socure.url });
    expect(describeProducts(t.service.socureProducts)).toBe(
      'RiskOS (no SOCURE_ID_PLUS_KEY: ID+ and DocV steps are refused)',
    );
    // As with any real key, no flow is public unless PUBLIC_FLOWS says so.
    expect(t.service.flows.some((f) => f.public)).toBe(false);
    expect(t.logs.text).toContain('Socure products: RiskOS');
  });

  it('riskos-onboarding through the sessions API and the hosted pages: Stanley Brown is accepted', async () => {
    const s = await createSession(t, { flow: 'riskos-onboarding' });
    const form = await t.http(s.path);
    expect(form.status).toBe(200);
    // No demo pre-fill off the embedded sandbox.
    expect(form.text).not.toContain('value="Jax"');
    const submitted = await submitScreen(t, s.path, STANLEY_BROWN);
    expect(submitted.status).toBe(303);
    const row = await waitForCompletion(t, s.id);
    expect(row.outcome).toBe('verified');
    const data = await t.service.store.getSessionData(s.id);
    const result = data?.result as { decision: string; evalId: string; steppedUp: boolean };
    expect(result).toMatchObject({ decision: 'ACCEPT', steppedUp: false });
    // The end page is what the person sees.
    const end = await follow(t, submitted);
    expect(end.status).toBe(200);
    expect(end.text).toContain('Your identity was verified.');
    // The evaluation is the stand-in's: RiskOS there knows it, under the same key.
    const fetched = await request(`${t.socure.url}/api/evaluation/${encodeURIComponent(result.evalId)}`, {
      headers: { authorization: `Bearer ${riskOsKey}` },
    });
    expect(fetched.statusCode).toBe(200);
    expect(await fetched.body.json()).toMatchObject({ eval_id: result.evalId, decision: 'ACCEPT' });
    const calls = await socureCallsOf(s.id);
    expect(calls.map((c) => [c.detail.method, c.detail.endpoint, c.detail.status])).toEqual([
      ['POST', '/api/evaluation', 200],
    ]);
  });

  it('Jax Myra pauses for a DocV step-up; RiskOS’s evaluation_completed webhook resumes the session to ACCEPT', async () => {
    const s = await createSession(t, { flow: 'riskos-onboarding', input: JAX_MYRA });
    const waiting = await eventually(async () => {
      const row = await t.service.store.getSession(s.id);
      return row?.status === 'waiting' && row.waitReferenceId ? row : undefined;
    }, 'the session to wait on its RiskOS step-up');
    // The hand-off page links to the stand-in's capture app.
    expect((await t.http(s.path)).text).toContain(`${t.socure.url}/capture/`);
    await triggerScenario(t.socure.url, waiting.waitReferenceId!, 'complete-accept');
    const row = await waitForCompletion(t, s.id);
    expect(row.outcome).toBe('verified');
    expect((await t.service.store.getSessionData(s.id))?.result).toMatchObject({
      decision: 'ACCEPT',
      steppedUp: true,
      evalId: waiting.waitReferenceId,
    });
    // Resumed by the authenticated delivery, as real RiskOS would send it.
    const timeline = await t.service.store.listTimeline(s.id);
    expect(timeline.find((e) => e.type === 'resumed')?.detail).toMatchObject({
      eventType: 'evaluation_completed',
    });
  });

  it('idplus-score started through the API: its score step fails with the clear message and shows its error page', async () => {
    // A complete input skips the form, so the score step runs at once.
    const s = await createSession(t, { flow: 'idplus-score', input: PERSONA_FORM });
    const failed = await eventually(async () => {
      const timeline = await t.service.store.listTimeline(s.id);
      return timeline.find((e) => JSON.stringify(e.detail).includes(NO_ID_PLUS_KEY));
    }, 'the timeline to record the missing ID+ key');
    expect(failed.detail).toMatchObject({
      error: { kind: 'SocureConfigurationError', message: NO_ID_PLUS_KEY },
    });
    // The flow's onError: back to its form, which says the step failed (no field blamed) with a support reference.
    const session = await eventually(async () => {
      const row = await t.service.store.getSession(s.id);
      return row?.status === 'input' ? row : undefined;
    }, 'the session to show its form again');
    expect(session.nodeId).toBe('form');
    const page = await t.http(s.path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('We could not complete this step right now.');
    expect(page.text).not.toContain('Please check the details you entered');
    expect(page.text).toContain(s.id);
    expect(page.text).not.toContain('idPlusKey');
    expect(page.text).not.toContain('SOCURE_ID_PLUS_KEY');
    // Not retried as a passing failure, and nothing was sent to Socure.
    expect((await t.service.store.listTimeline(s.id)).some((e) => e.type === 'retry_scheduled')).toBe(false);
    expect(await socureCallsOf(s.id)).toEqual([]);
    // The operator reads the cause through the sessions API too.
    const api = await t.api(`/api/sessions/${s.id}`);
    expect(api.status).toBe(200);
    expect(api.text).toContain(NO_ID_PLUS_KEY);
  });

  it('docv-qr started through the API ends on its error page, outcome failed', async () => {
    const s = await createSession(t, { flow: 'docv-qr' });
    const row = await waitForCompletion(t, s.id);
    expect(row.outcome).toBe('failed');
    const timeline = await t.service.store.listTimeline(s.id);
    expect(JSON.stringify(timeline)).toContain(NO_ID_PLUS_KEY);
    expect(await socureCallsOf(s.id)).toEqual([]);
    const page = await follow(t, await t.http(s.path));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Something went wrong');
  });

  it('the service keeps running, and the RiskOS key never reaches a log line or an answer', async () => {
    expect((await t.http('/readyz')).status).toBe(200);
    expect(t.logs.text).toContain(NO_ID_PLUS_KEY);
    expect(t.logs.text).not.toContain(riskOsKey);
    for (const body of t.seen) expect(body).not.toContain(riskOsKey);
  });
});
