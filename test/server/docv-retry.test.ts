/**
 * A second DocV attempt within the same session, through HTTP against the real service and its embedded
 * sandbox: the RESUBMIT decision (docv-qr, docv-sms) and a failed upload (step-up) offer a button that starts
 * a new transaction, instead of a dead end or a connectivity error.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsMessage } from '../../src/sandbox/sms.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  PERSONA_FORM,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

let t: TestService;

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.close();
});

/** The session once it asks the person something (a screen) at `nodeId`. */
async function atScreen(id: string, nodeId: string) {
  return eventually(async () => {
    const s = await t.service.store.getSession(id);
    return s?.status === 'input' && s.nodeId === nodeId ? s : undefined;
  }, `session ${id} to show the screen ${nodeId}`);
}

/** The wait's token once it is another than `previous` (a new transaction). */
async function newToken(id: string, previous: string) {
  return eventually(async () => {
    const s = await t.service.store.getSession(id);
    return s?.status === 'waiting' && s.waitToken && s.waitToken !== previous ? s.waitToken : undefined;
  }, `session ${id} to wait on a new DocV token`);
}

describe('RESUBMIT: a new attempt in the same session', () => {
  it('docv-qr: "Take new photos" starts a new transaction, whose result ends the session', async () => {
    const { id, path } = await createSession(t, { flow: 'docv-qr', customerUserId: 'cu-retry-qr' });
    await t.http(path); // the person's browser opens it
    const first = await waitToken(t, id);
    await triggerSandbox(t, first, 'complete-resubmit');
    await atScreen(id, 'resubmit');
    const page = await t.http(path);
    expect(page.text).toContain('Please try again');
    expect(page.text).toContain('Take new photos');
    expect(page.text).not.toContain('Please start again');

    expect((await submitScreen(t, path, {})).status).toBe(303);
    const second = await newToken(id, first);
    expect((await t.http(path)).text).toContain(second); // the new link (and QR code) on the page

    await triggerSandbox(t, second, 'complete-accept');
    expect(await waitForCompletion(t, id)).toMatchObject({ outcome: 'verified', nodeId: 'verified' });
    const data = await t.service.store.getSessionData(id);
    expect(data?.result).toMatchObject({ decision: 'accept', docvTransactionToken: second });
  });

  it('docv-sms: "Text me a new link" texts a new link to the same number', async () => {
    const number = '+13475550151';
    const { id, path } = await createSession(t, { flow: 'docv-sms', customerUserId: 'cu-retry-sms' });
    expect((await submitScreen(t, path, { phoneNumber: number })).status).toBe(303);
    const first = await waitToken(t, id);
    await triggerSandbox(t, first, 'complete-resubmit');
    await atScreen(id, 'resubmit');
    expect((await t.http(path)).text).toContain('Text me a new link');

    expect((await submitScreen(t, path, {})).status).toBe(303);
    const second = await newToken(id, first);
    const res = await request(`${t.service.sandbox!.url}/sandbox/sms?to=${encodeURIComponent(number)}`);
    const { messages } = (await res.body.json()) as { messages: SmsMessage[] };
    expect(messages.map((m) => m.token)).toEqual([second, first]);

    await triggerSandbox(t, second, 'complete-reject');
    expect(await waitForCompletion(t, id)).toMatchObject({ outcome: 'rejected', nodeId: 'rejected' });
  });
});

describe('step-up: a failed upload', () => {
  it('says the photos could not be uploaded (not a connectivity error) and "Try again" gives a new link', async () => {
    const { id, path } = await createSession(t, { flow: 'step-up', customerUserId: 'cu-retry-step-up' });
    expect((await submitScreen(t, path, { ...PERSONA_FORM, surName: 'Refer' })).status).toBe(303);
    const first = await waitToken(t, id);
    await triggerSandbox(t, first, 'upload-failed');
    await atScreen(id, 'uploadFailed');
    const page = await t.http(path);
    expect(page.text).toContain('Your photos could not be uploaded');
    expect(page.text).toContain('Try again');
    expect(page.text).not.toContain("couldn't reach the identity verification service");

    expect((await submitScreen(t, path, {})).status).toBe(303);
    const second = await newToken(id, first);
    await triggerSandbox(t, second, 'complete-accept');
    const done = await waitForCompletion(t, id);
    expect(done.nodeId).toMatch(/AfterDocv$/);
    const data = await t.service.store.getSessionData(id);
    expect(data?.result).toMatchObject({ steppedUp: true, docvTransactionToken: second });
  });
});
