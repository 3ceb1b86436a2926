import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { type TestRun, useE2E, useRuns } from './support/env.js';
import { countNavigations, sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';
import { decodeQrElement } from './support/qr.js';

const env = useE2E();
const newRun = useRuns(env);

const FULL_CAPTURE = [
  'Verify your identity',
  'Choose your document',
  'Front of your document',
  'Back of your document',
  'Take a selfie',
  'Review and submit',
  'Thank you',
];

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

/** Reads the QR code on the desktop waiting page as a phone camera would, and checks it matches the link. */
async function scanQr(run: TestRun, desktop: Page): Promise<string> {
  const qr = desktop.locator('img.qr');
  await qr.waitFor();
  await run.snap(desktop, 'desktop-waiting-qr');
  const link = await decodeQrElement(qr, run.shots.next('qr-code'));
  expect(link).toMatch(new RegExp(`^${run.env.sandboxUrl}/capture/[^/?#]+$`));
  expect(await desktop.locator('a.link').getAttribute('href')).toBe(link);
  return link;
}

/** Stock persona of the ID+ forms (flows/idplus-score.json, flows/step-up.json). */
const PERSONA = {
  firstName: 'Dwayne',
  surName: 'Denver',
  dob: '1975-04-02',
  nationalId: '400-01-3784',
  email: 'dwayne.denver@example.com',
  mobileNumber: '+13475550100',
  physicalAddress: '1301 Main Street',
  city: 'Brownsville',
  state: 'TN',
  zip: '38012',
  country: 'US',
};

async function expectPersona(page: Page): Promise<void> {
  for (const [name, value] of Object.entries(PERSONA)) {
    expect(await page.locator(`[name="${name}"]`).inputValue(), name).toBe(value);
  }
}

/** The ID+ details on a result page: the decision badge, a score row per module, every reason code explained. */
async function expectScoreDetails(page: Page, decision: string): Promise<void> {
  expect(await page.getByRole('heading', { name: 'ID+ result' }).count()).toBe(1);
  const decisionBadge = page.locator('p', { hasText: 'Decision:' }).locator('span.badge');
  expect((await decisionBadge.textContent())?.trim()).toBe(decision);
  const rows = page.locator('table tbody tr');
  const modules = await rows.locator('th[scope=row]').allTextContents();
  expect(modules.length).toBeGreaterThanOrEqual(3);
  expect(modules).toEqual(expect.arrayContaining(['kyc', 'fraud']));
  const codes = rows.locator('td > div');
  expect(await codes.count()).toBeGreaterThan(0);
  for (const line of await codes.all()) {
    const code = ((await line.locator('code').textContent()) ?? '').trim();
    const text = ((await line.textContent()) ?? '').trim();
    expect(code, 'reason code').toMatch(/^[A-Z]\d{3}$/);
    expect(text.slice(code.length).trim().length, `explanation of ${code}`).toBeGreaterThan(3);
  }
  // Every module that has a score shows it as a number.
  const scores = await rows.locator('td:nth-child(2)').allTextContents();
  expect(scores.some((s) => /\d\.\d{3}/.test(s))).toBe(true);
}

describe('shipped flows in Chromium against the embedded sandbox', () => {
  test('docv-qr: the phone opens the link decoded from the QR code and the desktop continues to "verified"', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store } = run.env.service;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-qr');
    const sessionId = sessionIdOf(desktop);
    expect(await h1(desktop)).toBe('Verify your identity on your phone');
    const link = await scanQr(run, desktop);
    const navigations = countNavigations(desktop);

    const phone = await run.phone();
    expect(await completeCapture(run, phone, link, run.env.images)).toEqual(FULL_CAPTURE);

    expect(await waitForOutcome(desktop)).toBe('verified');
    expect(navigations(), 'the waiting page reloaded itself').toBeGreaterThan(0);
    expect(await h1(desktop)).toBe("You're verified");
    await run.snap(desktop, 'desktop-verified');

    expect(await store.getSession(sessionId)).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect((await store.getSessionData(sessionId))?.result).toMatchObject({ decision: 'accept' });
    await run.assertClean();
  });

  test('docv-sms: a mobile number, "Check Your Device", the texted link on the phone, the desktop continues', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { service, sandboxUrl, images } = run.env;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-sms');
    const sessionId = sessionIdOf(desktop);
    expect(await h1(desktop)).toBe('Socure Document Verification');
    await run.snap(desktop, 'desktop-phone-number');

    const typed = '+1 347 555 0142';
    await desktop.getByLabel('Mobile number').fill(typed);
    await desktop.getByRole('button', { name: 'Send me the link' }).click();
    await desktop.getByRole('heading', { name: 'Check Your Device' }).waitFor();
    await run.snap(desktop, 'desktop-check-your-device');
    expect(await desktop.locator('img.qr').count(), 'no QR code on the SMS waiting page').toBe(0);
    const navigations = countNavigations(desktop);

    const outbox = await fetch(`${sandboxUrl}/sandbox/sms?to=${encodeURIComponent(typed)}`);
    expect(outbox.status).toBe(200);
    const { messages } = (await outbox.json()) as { messages: Array<{ to: string; body: string }> };
    expect(messages).toHaveLength(1);
    expect(messages[0]!.to).toBe('+13475550142');
    const link = /https?:\/\/\S+/.exec(messages[0]!.body)?.[0];
    expect(link).toMatch(new RegExp(`^${sandboxUrl}/capture/[^/?#]+$`));

    const phone = await run.phone();
    expect(await completeCapture(run, phone, link!, images)).toEqual(FULL_CAPTURE);

    expect(await waitForOutcome(desktop)).toBe('verified');
    expect(navigations(), 'the waiting page reloaded itself').toBeGreaterThan(0);
    expect(await h1(desktop)).toBe("You're verified");
    await run.snap(desktop, 'desktop-verified');
    expect(await service.store.getSession(sessionId)).toMatchObject({
      status: 'completed',
      outcome: 'verified',
    });
    expect((await service.store.getSessionData(sessionId))?.result).toMatchObject({ decision: 'accept' });
    await run.assertClean();
  });

  test('idplus-score: the pre-filled stock persona is accepted with scores and explained reason codes; "Reject" is rejected', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store } = run.env.service;
    const desktop = await run.desktop();

    await startFlow(run, desktop, 'idplus-score');
    expect(await h1(desktop)).toBe('Get an ID+ score');
    await expectPersona(desktop);
    await run.snap(desktop, 'form-stock-persona');
    await desktop.getByRole('button', { name: 'Get my score' }).click();
    expect(await waitForOutcome(desktop)).toBe('verified');
    expect(await h1(desktop)).toBe('Decision: accept');
    await expectScoreDetails(desktop, 'accept');
    await run.snap(desktop, 'result-accept');
    const accepted = sessionIdOf(desktop);
    expect(await store.getSession(accepted)).toMatchObject({ status: 'completed', outcome: 'verified' });

    await startFlow(run, desktop, 'idplus-score');
    await desktop.getByLabel('Last name').fill('Reject');
    await run.snap(desktop, 'form-reject');
    await desktop.getByRole('button', { name: 'Get my score' }).click();
    expect(await waitForOutcome(desktop)).toBe('rejected');
    expect(await h1(desktop)).toBe('Decision: reject');
    await expectScoreDetails(desktop, 'reject');
    await run.snap(desktop, 'result-reject');
    const rejected = sessionIdOf(desktop);
    expect(rejected).not.toBe(accepted);
    expect(await store.getSession(rejected)).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect((await store.getSessionData(rejected))?.result).toMatchObject({ decision: 'reject' });
    await run.assertClean();
  });

  test('step-up: "Refer" leads to a QR code, the phone captures, and the desktop continues to a final result', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store } = run.env.service;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'step-up');
    expect(await h1(desktop)).toBe('Tell us about yourself');
    await expectPersona(desktop);
    await desktop.getByLabel('Last name').fill('Refer');
    await run.snap(desktop, 'form-refer');
    await desktop.getByRole('button', { name: 'Continue' }).click();
    await desktop.getByRole('heading', { name: 'One more step: verify your ID' }).waitFor();
    const sessionId = sessionIdOf(desktop);
    const link = await scanQr(run, desktop);
    const navigations = countNavigations(desktop);

    const phone = await run.phone();
    expect(await completeCapture(run, phone, link, run.env.images)).toEqual(FULL_CAPTURE);

    const outcome = await waitForOutcome(desktop);
    expect(['verified', 'rejected', 'review']).toContain(outcome);
    expect(navigations(), 'the waiting page reloaded itself').toBeGreaterThan(0);
    await run.snap(desktop, `desktop-final-${outcome}`);
    expect(await desktop.locator('[data-session-events]').count(), 'no longer waiting').toBe(0);

    expect(await store.getSession(sessionId)).toMatchObject({ status: 'completed', outcome });
    const result = (await store.getSessionData(sessionId))?.result;
    expect(result).toMatchObject({ steppedUp: true });
    expect(result?.docvTransactionToken).toBe(new URL(link).pathname.split('/').pop());
    await run.assertClean();
  });
});
