import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { useE2E, useRuns } from './support/env.js';
import { sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';

// The engine's clock, moved past the resend interval (30 s) instead of waiting for it.
let offset = 0;
const env = useE2E(() => ({}), { now: () => Date.now() + offset });
const newRun = useRuns(env);

interface Sms {
  to: string;
  body: string;
  token: string;
}

async function outbox(sandboxUrl: string, to: string): Promise<Sms[]> {
  const res = await fetch(`${sandboxUrl}/sandbox/sms?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { messages: Sms[] }).messages;
}

const notice = (page: Page) =>
  page.locator('.sms-controls [role=status], .sms-controls [role=alert]').first();

describe('docv-sms "Check your device": resend and change number in Chromium', () => {
  test('sms-resend: too soon is refused with a wait, a resend texts again, a new number gets the link that completes it', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { service, sandboxUrl, images } = run.env;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-sms');
    const sessionId = sessionIdOf(desktop);
    await desktop.getByLabel('Mobile number').fill('+1 347 555 0161');
    await desktop.getByRole('button', { name: 'Send me the link' }).click();
    await desktop.getByRole('heading', { name: 'Check Your Device' }).waitFor();
    await desktop.getByText('We texted the link to the number ending in 61.').waitFor();
    await run.snap(desktop, 'check-your-device');
    const first = (await outbox(sandboxUrl, '+13475550161'))[0]!;

    // At once: refused, saying how long to wait; nothing is sent.
    await desktop.getByRole('button', { name: 'Resend the text message' }).click();
    await desktop.waitForURL(/\?sms=too-soon$/);
    expect(await notice(desktop).textContent()).toMatch(
      /^Please wait \d+ seconds before sending it again\.$/,
    );
    await run.snap(desktop, 'resend-too-soon');
    expect(await outbox(sandboxUrl, '+13475550161')).toHaveLength(1);

    offset += 31_000;
    await desktop.getByRole('button', { name: 'Resend the text message' }).click();
    await desktop.waitForURL(/\?sms=resent$/);
    expect(await notice(desktop).textContent()).toBe('We sent the text message again.');
    expect(await outbox(sandboxUrl, '+13475550161')).toHaveLength(2);

    // A number that is not one: marked beside the field.
    offset += 31_000;
    await desktop.getByLabel('New mobile number').fill('call me');
    await desktop.getByRole('button', { name: 'Change number' }).click();
    await desktop.waitForURL(/\?sms=number-tel$/);
    expect(await desktop.locator('#sms-number-error').textContent()).toBe(
      'New mobile number must be a phone number',
    );
    expect(await desktop.getByLabel('New mobile number').getAttribute('aria-invalid')).toBe('true');

    await desktop.getByLabel('New mobile number').fill('+1 (415) 555-0162');
    await desktop.getByRole('button', { name: 'Change number' }).click();
    await desktop.waitForURL(/\?sms=changed$/);
    expect(await notice(desktop).textContent()).toBe('We sent the text message to your new number.');
    await desktop.getByText('We texted the link to the number ending in 62.').waitFor();
    await run.snap(desktop, 'number-changed');
    const [texted] = await outbox(sandboxUrl, '+14155550162');
    expect(texted).toBeDefined();
    expect(texted!.token).not.toBe(first.token);

    // The link texted to the new number completes the session; the desktop page moves on by itself.
    const link = /https?:\/\/\S+/.exec(texted!.body)?.[0];
    const phone = await run.phone();
    await completeCapture(run, phone, link!, images);
    expect(await waitForOutcome(desktop)).toBe('verified');
    await run.snap(desktop, 'verified');
    expect((await service.store.getSessionData(sessionId))?.result).toMatchObject({
      decision: 'accept',
      docvTransactionToken: texted!.token,
    });
    await run.assertClean();
  });
});
