import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSession,
  hiddenValue,
  PERSONA_FORM,
  SANDBOX_ID_PLUS_KEY,
  sessionPathOf,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

/** Every form of the persona's personal data that could leak into a log line. */
const PII = [
  'Dwayne',
  'Denver',
  '1975-04-02',
  '400013784',
  '400-01-3784',
  'dwayne.denver@example.com',
  '+13475550100',
  '3475550100',
  '1301 Main Street',
  'Brownsville',
  '38012',
];

let t: TestService;
const secrets: string[] = [];

beforeAll(async () => {
  t = await startTestService();
  secrets.push(
    SANDBOX_ID_PLUS_KEY,
    t.service.sandbox!.keys.sandbox.riskOsKey,
    t.service.apiKey,
    new URL(t.service.webhookUrl).pathname.split('/').pop()!,
  );
});
afterAll(async () => {
  await t?.close();
});

/** Keeps the signature and CSRF token of a session page, which must never be logged. */
async function remember(path: string): Promise<void> {
  secrets.push(path.split('/')[3]!);
  const csrf = hiddenValue((await t.http(path)).text, 'csrf');
  if (csrf) secrets.push(csrf);
}

/** The idplus-score flow with the persona through the hosted pages; then a validation error and a failing ID+ call. */
async function scoreThroughPages(): Promise<void> {
  const index = await t.http('/');
  const csrf = /action="\/flows\/idplus-score\/start"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
    index.text,
  )![1]!;
  const started = await t.http('/flows/idplus-score/start', { form: { csrf } });
  const path = sessionPathOf(String(started.headers.location));
  await remember(path);
  expect((await submitScreen(t, path, PERSONA_FORM)).status).toBe(303);
  const result = await t.http(path);
  expect(result.text).toContain('Decision: accept');
  // A validation error and a failing ID+ call, with the persona's data in the form.
  const failing = await createSession(t, { flow: 'idplus-score', customerUserId: 'fault-malformed' });
  await remember(failing.path);
  expect((await submitScreen(t, failing.path, { ...PERSONA_FORM, dob: 'yesterday' })).status).toBe(422);
  expect((await submitScreen(t, failing.path, PERSONA_FORM)).status).toBe(303);
  expect((await t.http(failing.path)).text).toContain('role="alert"');
}

/** A docv-qr session driven to its end: its webhooks and result carry the persona's document data. */
async function docvToTheEnd(customerUserId: string): Promise<void> {
  const { id, path } = await createSession(t, { flow: 'docv-qr', customerUserId });
  await remember(path);
  await triggerSandbox(t, await waitToken(t, id), 'complete-accept');
  await waitForCompletion(t, id);
  // Asked with the person's data (the default answer leaves documentData out): it must still not reach a log line.
  const api = await t.api(`/api/sessions/${id}?include=input`);
  expect(api.json()).toMatchObject({
    outcome: 'verified',
    result: { documentData: { firstName: 'Dwayne' } },
  });
}

describe('logs', () => {
  it('the idplus-score flow with the persona, through the hosted pages', async () => {
    await scoreThroughPages();
  });

  it('a docv-qr session whose webhooks and result carry the persona’s document data', async () => {
    await docvToTheEnd('log-docv-1');
  });

  it('the captured lines hold no PII, no session URL signature, no key or secret', async () => {
    // Its own traffic (whatever ran before it): both flows, with the persona's data everywhere.
    const from = t.logs.lines.length;
    await scoreThroughPages();
    await docvToTheEnd('log-docv-2');
    expect(t.logs.lines.length - from).toBeGreaterThan(20);
    const text = t.logs.text;
    // Each request is one line, with its route's own fields: the webhook's says which delivery it committed.
    expect(text).toContain('request completed');
    expect(text).not.toContain('incoming request');
    expect(text).toMatch(/"url":"\/webhooks\/socure\/…".*"deliveryId":"[^"]+".*"committed":"inserted"/);
    expect(text).toMatch(/"url":"\/s\/[0-9a-f-]{36}\/…/); // …with the signature cut off
    for (const value of PII) expect(text, value).not.toContain(value);
    for (const value of secrets) expect(text, 'a secret').not.toContain(value);
    for (const line of t.logs.lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
