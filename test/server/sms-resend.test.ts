/**
 * The SMS flow's "Check your device" page: "Resend the text message" and "Change number", through HTTP against
 * the real service and its embedded sandbox, whose SMS outbox shows each message sent. The engine's clock is
 * moved past the resend interval instead of sleeping.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsMessage } from '../../src/sandbox/sms.js';
import { parseDelivery } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  hiddenValue,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
} from './helpers.js';

let t: TestService;
let offset = 0;
/** Moves the engine's clock: the resend interval passes without a sleep. */
const advance = (ms: number) => {
  offset += ms;
};

beforeAll(async () => {
  t = await startTestService({}, { now: () => Date.now() + offset });
});
afterAll(async () => {
  await t?.close();
});

async function outbox(to: string): Promise<SmsMessage[]> {
  const res = await request(`${t.service.sandbox!.url}/sandbox/sms?to=${encodeURIComponent(to)}`);
  return ((await res.body.json()) as { messages: SmsMessage[] }).messages;
}

/** Posts one of the page's SMS forms with the page's own form token; returns the notice it redirects to. */
async function post(path: string, action: 'resend' | 'number', fields: Record<string, string> = {}) {
  const page = await t.http(path);
  const csrf = hiddenValue(page.text, 'csrf');
  expect(page.text).toContain(`action="${path}/sms/${action}"`);
  const res = await t.http(`${path}/sms/${action}`, { form: { csrf: csrf!, ...fields } });
  expect(res.status).toBe(303);
  const location = String(res.headers.location);
  expect(location.startsWith(path)).toBe(true);
  return { location, notice: new URL(location, 'http://x').searchParams.get('sms') };
}

async function timeline(id: string) {
  return t.service.store.listTimeline(id);
}

/** A docv-sms session waiting on "Check your device", with its first text message. */
async function waitingSmsSession(number: string) {
  const { id, path } = await createSession(t, {
    flow: 'docv-sms',
    customerUserId: `cu-sms-${number.slice(-4)}`,
  });
  expect((await submitScreen(t, path, { phoneNumber: number })).status).toBe(303);
  const first = await eventually(async () => (await outbox(number))[0], 'the first text message');
  const session = await t.service.store.getSession(id);
  expect(session).toMatchObject({ status: 'waiting', nodeId: 'checkDevice', waitToken: first.token });
  return { id, path, first };
}

describe('docv-sms: resend and change number on "Check your device"', () => {
  it('resends (a new transaction the wait follows), refuses too soon, changes the number, and completes on the new token only', async () => {
    const number = '+13475550141';
    const { id, path, first } = await waitingSmsSession(number);

    const page = await t.http(path);
    expect(page.text).toContain('Resend the text message');
    expect(page.text).toContain('Change number');
    expect(page.text).toContain('ending in 41');
    expect(page.text).not.toContain('3475550141'); // the number itself is not repeated on the page

    // Right after the first message: too soon, with when to try again; nothing is sent.
    const early = await post(path, 'resend');
    expect(early.notice).toBe('too-soon');
    const refused = await t.http(early.location);
    expect(refused.text).toMatch(/Please wait (\d+) seconds before sending it again/);
    const seconds = Number(/Please wait (\d+) seconds/.exec(refused.text)![1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(await outbox(number)).toHaveLength(1);

    // After the interval: a second message, a new token the session now waits on.
    advance(31_000);
    expect((await post(path, 'resend')).notice).toBe('resent');
    const messages = await outbox(number);
    expect(messages).toHaveLength(2);
    const second = messages[0]!;
    expect(second.token).not.toBe(first.token);
    expect(second.body).toContain(second.token);
    const resent = await t.service.store.getSession(id);
    expect(resent).toMatchObject({ status: 'waiting', nodeId: 'checkDevice', waitToken: second.token });
    expect((await t.http(path)).text).toContain('You can send it 4 more times.');

    // A number the form would refuse is refused here too, and sends nothing.
    advance(31_000);
    const bad = await post(path, 'number', { phoneNumber: 'call me' });
    expect(bad.notice).toBe('number-tel');
    const badPage = await t.http(bad.location);
    expect(badPage.text).toContain('New mobile number must be a phone number');
    expect(badPage.text).toContain('aria-invalid="true"');
    expect(await outbox(number)).toHaveLength(2);
    // One the form lets through but that cannot be made E.164: refused before anything is sent, not counted.
    expect((await post(path, 'number', { phoneNumber: '123456' })).notice).toBe('number-tel');
    expect((await t.http(path)).text).toContain('You can send it 4 more times.');
    expect(await outbox(number)).toHaveLength(2);

    // A new number, typed with spaces and brackets: the text goes there (E.164), on a new token.
    const newNumber = '+14155550142';
    expect((await post(path, 'number', { phoneNumber: '+1 (415) 555-0142' })).notice).toBe('changed');
    const toNew = await outbox(newNumber);
    expect(toNew).toHaveLength(1);
    expect(await outbox(number)).toHaveLength(2);
    const changed = await t.service.store.getSession(id);
    expect(changed?.waitToken).toBe(toNew[0]!.token);
    expect((await t.http(path)).text).toContain('ending in 42');

    // The timeline says what happened, never the number.
    const events = await timeline(id);
    expect(events.filter((e) => e.type === 'sms_resent')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'phone_changed')).toHaveLength(1);
    const text = JSON.stringify(events);
    for (const digits of ['3475550141', '4155550142']) expect(text).not.toContain(digits);

    // The first link is finished on the phone: its webhook must not move the session.
    await triggerSandbox(t, first.token, 'complete-accept');
    const old = await eventually(async () => {
      const found = await t.service.store.findDeliveries({ docvTransactionToken: first.token }, [
        'VERIFICATION_COMPLETED',
      ]);
      return found.find((d) => d.docvTransactionToken === first.token);
    }, 'the first transaction webhook in the inbox');
    await t.service.engine.correlate(parseDelivery(old.payload, old.authenticated));
    expect(await t.service.store.getSession(id)).toMatchObject({
      status: 'waiting',
      nodeId: 'checkDevice',
      waitToken: toNew[0]!.token,
    });

    // The link sent to the new number completes it.
    await triggerSandbox(t, toNew[0]!.token, 'complete-accept');
    const done = await waitForCompletion(t, id);
    expect(done).toMatchObject({ outcome: 'verified', nodeId: 'verified' });
    const data = await t.service.store.getSessionData(id);
    expect(data?.result).toMatchObject({ decision: 'accept', docvTransactionToken: toNew[0]!.token });
  });

  it('allows 5 resends per session, then offers none and refuses more', async () => {
    const number = '+13475550143';
    const { id, path } = await waitingSmsSession(number);
    let csrf: string | undefined;
    for (let i = 1; i <= 5; i++) {
      advance(31_000);
      csrf = hiddenValue((await t.http(path)).text, 'csrf'); // kept: the last page with a form
      expect((await post(path, 'resend')).notice).toBe('resent');
    }
    expect(await outbox(number)).toHaveLength(6);
    const page = await t.http(path);
    expect(page.text).toContain('The text message cannot be sent again');
    expect(page.text).not.toContain('/sms/resend');
    // A form posted anyway (an old page) is refused by the engine: nothing is sent.
    advance(31_000);
    const res = await t.http(`${path}/sms/resend`, { form: { csrf: csrf ?? '' } });
    expect(res.status).toBe(303);
    expect(String(res.headers.location)).toContain('sms=limit');
    expect(await outbox(number)).toHaveLength(6);
    expect((await timeline(id)).filter((e) => e.type === 'sms_resent')).toHaveLength(5);
  });

  it('refuses a form from another browser or without the page token', async () => {
    const number = '+13475550144';
    const { path } = await waitingSmsSession(number);
    advance(31_000);
    const other = t.browser();
    const res = await other(`${path}/sms/resend`, { form: { csrf: 'forged' } });
    expect(res.status).toBe(303);
    expect(String(res.headers.location)).toContain('sms=expired');
    const noToken = await t.http(`${path}/sms/resend`, { form: {} });
    expect(String(noToken.headers.location)).toContain('sms=expired');
    expect(await outbox(number)).toHaveLength(1);
  });
});
