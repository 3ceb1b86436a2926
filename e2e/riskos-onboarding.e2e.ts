/**
 * The shipped riskos-onboarding flow in Chromium against the embedded sandbox: the form (pre-filled with the
 * RiskOS persona Jax Myra), the RiskOS evaluation pausing for DocV, the hand-off page's QR code read as a phone
 * camera would, the capture on the phone, the sandbox's evaluation_completed webhook resuming the session, the
 * re-fetch and the final page; in English, then in Spanish for an accepted persona.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { useE2E, useRuns } from './support/env.js';
import { countNavigations, sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';
import { decodeQrElement } from './support/qr.js';

const env = useE2E();
const newRun = useRuns(env);

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

describe('riskos-onboarding in Chromium', () => {
  test('Jax Myra: evaluation pauses for DocV, the phone captures, evaluation_completed resumes the desktop to "verified"', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store, sandbox } = run.env.service;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'riskos-onboarding');
    expect(await h1(desktop)).toBe('Tell us about yourself');
    expect(await desktop.getByLabel('Last name').inputValue()).toBe('Myra');
    expect(await desktop.getByLabel('SSN').inputValue()).toBe('666-99-0266');
    await run.snap(desktop, 'form-jax-myra');
    await desktop.getByRole('button', { name: 'Continue' }).click();

    await desktop.getByRole('heading', { name: 'One more step: verify your ID' }).waitFor();
    const sessionId = sessionIdOf(desktop);
    const qr = desktop.locator('img.qr');
    await qr.waitFor();
    await run.snap(desktop, 'desktop-docv-hand-off');
    const link = await decodeQrElement(qr, run.shots.next('qr-code'));
    expect(link).toMatch(new RegExp(`^${run.env.sandboxUrl}/capture/[^/?#]+$`));
    expect(await desktop.locator('a.link').getAttribute('href')).toBe(link);
    expect(await desktop.content()).not.toContain(sandbox!.keys.sandbox.riskOsKey);
    const waiting = await store.getSession(sessionId);
    expect(waiting).toMatchObject({ status: 'waiting', waitToken: new URL(link).pathname.split('/').pop() });
    const navigations = countNavigations(desktop);

    const phone = await run.phone();
    const seen = await completeCapture(run, phone, link, run.env.images);
    expect(seen.at(-1)).toBe('Thank you');

    expect(await waitForOutcome(desktop)).toBe('verified');
    expect(navigations(), 'the waiting page moved on by itself').toBeGreaterThan(0);
    expect(await h1(desktop)).toBe("You're verified");
    await run.snap(desktop, 'desktop-verified-after-docv');
    const result = (await store.getSessionData(sessionId))?.result;
    expect(result).toMatchObject({ decision: 'ACCEPT', steppedUp: true, evalId: waiting!.waitReferenceId });
    const timeline = await store.listTimeline(sessionId);
    expect(timeline.find((e) => e.type === 'resumed')?.detail).toMatchObject({
      eventType: 'evaluation_completed',
    });
    await run.assertClean();
  });

  test('in Spanish: Stanley Brown is accepted at once; the last name Reject ends on the rejection page', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const desktop = await run.desktop({ locale: 'es-ES' });
    await startFlowEs(desktop, run.url);
    expect(await h1(desktop)).toBe('Cuéntenos sobre usted');
    await desktop.getByLabel('Nombre', { exact: true }).fill('Stanley');
    await desktop.getByLabel('Apellido').fill('Brown');
    await desktop.getByLabel('Fecha de nacimiento').fill('1944-03-30');
    await desktop.getByLabel('Número de Seguro Social').fill('666-47-8381');
    await run.snap(desktop, 'form-es-stanley-brown');
    await desktop.getByRole('button', { name: 'Continuar' }).click();
    expect(await waitForOutcome(desktop)).toBe('verificado');
    expect(await h1(desktop)).toBe('Su identidad está verificada');
    await run.snap(desktop, 'result-es-verified');

    const again = await run.desktop({ locale: 'es-ES' });
    await startFlowEs(again, run.url);
    await again.getByLabel('Apellido').fill('Reject');
    await again.getByLabel('Número de Seguro Social').fill('123-45-6789');
    await again.getByRole('button', { name: 'Continuar' }).click();
    expect(await waitForOutcome(again)).toBe('rechazado');
    expect(await h1(again)).toBe('No pudimos verificar su identidad');
    await run.snap(again, 'result-es-rejected');
    await run.assertClean();
  });
});

async function startFlowEs(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/flows/riskos-onboarding`);
  await page.getByRole('button', { name: 'Iniciar' }).click();
  await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);
}
