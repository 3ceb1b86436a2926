/**
 * DocV inside the page (flows/docv-web.json) and device data for ID+ (flows/idplus-device.json) in Chromium,
 * against the embedded sandbox and its stand-ins of Socure's Web SDK and Sigma Device scripts.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { captureFrameOf, completeCaptureInFrame, PAGE_MOVED_ON } from './support/capture-frame.js';
import { useE2E, useRuns } from './support/env.js';
import { countNavigations, sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';

const env = useE2E();
const newRun = useRuns(env);

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();
const sdkState = (page: Page) => page.locator('[data-docv-sdk]').getAttribute('data-docv-sdk-state');

describe('DocV with the Web SDK, and Sigma Device, in Chromium', () => {
  test('docv-web in page: the capture app runs inside the page and the page continues to "verified"', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store, sandbox } = run.env.service;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-web');
    const sessionId = sessionIdOf(desktop);
    expect(await h1(desktop)).toBe('Verify your identity');

    await desktop.locator('[data-docv-sdk-state="launched"]').waitFor();
    expect(await desktop.locator('img.qr').isVisible(), 'the QR code gives way to the capture').toBe(false);
    expect(await desktop.locator('a.link').isVisible()).toBe(false);
    const frame = await captureFrameOf(desktop);
    expect(new URL(frame.url()).origin).toBe(new URL(sandbox!.url).origin);
    expect(new URL(frame.url()).searchParams.get('embed')).toMatch(/^[\w-]{24}$/);
    const navigations = countNavigations(desktop);

    const seen = await completeCaptureInFrame(run, desktop, frame, run.env.images);
    expect(seen.slice(0, -1)).toEqual([
      'Verify your identity',
      'Choose your document',
      'Front of your document',
      'Back of your document',
      'Take a selfie',
      'Review and submit',
    ]);
    // After the last step the frame says "Thank you", unless the webhook already moved the page on.
    expect(['Thank you', PAGE_MOVED_ON]).toContain(seen.at(-1));

    // The SDK's success does not move the page: Socure's webhook does, and the page reloads by itself.
    expect(await waitForOutcome(desktop)).toBe('verified');
    expect(navigations(), 'the waiting page reloaded itself').toBeGreaterThan(0);
    expect(await h1(desktop)).toBe("You're verified");
    await run.snap(desktop, 'in-page-verified');
    expect(await store.getSession(sessionId)).toMatchObject({ status: 'completed', outcome: 'verified' });
    expect((await store.getSessionData(sessionId))?.result).toMatchObject({ decision: 'accept' });
    await run.assertClean();
  });

  test('docv-web fallback: with the SDK script unreachable the page shows the QR code and link, and the phone completes it', async ({
    task,
  }) => {
    const run = newRun(task.name, [
      {
        id: 'sdk-blocked-by-this-test',
        pattern: /websdk\/bundle\.js|Failed to load resource: net::ERR_FAILED/,
        note: 'the test blocks the Web SDK script to see the fallback',
      },
    ]);
    const desktop = await run.desktop();
    await desktop.route('**/websdk/bundle.js', (route) => route.abort('failed'));
    await startFlow(run, desktop, 'docv-web');
    const sessionId = sessionIdOf(desktop);

    await desktop.locator('[data-docv-sdk-state="fallback:script"]').waitFor({ state: 'attached' });
    expect(await desktop.locator('[data-docv-sdk]').isVisible()).toBe(false);
    expect(await desktop.locator('img.qr').isVisible()).toBe(true);
    const link = await desktop.locator('a.link').getAttribute('href');
    expect(link).toMatch(new RegExp(`^${run.env.sandboxUrl}/capture/[^/?#]+$`));
    await run.snap(desktop, 'fallback-qr-and-link');
    expect(run.problems.tolerated.get('sdk-blocked-by-this-test')?.length).toBeGreaterThan(0);

    const phone = await run.phone();
    expect((await completeCapture(run, phone, link!, run.env.images)).at(-1)).toBe('Thank you');
    expect(await waitForOutcome(desktop)).toBe('verified');
    await run.snap(desktop, 'fallback-verified');
    expect(await run.env.service.store.getSession(sessionId)).toMatchObject({ outcome: 'verified' });
    await run.assertClean();
  });

  test('docv-web unknown key: a launch the sandbox refuses (unknown SDK key) falls back to the QR code and link', async ({
    task,
  }) => {
    const run = newRun(task.name, [
      {
        id: 'sdk-key-refused',
        pattern: /HTTP 401 POST .*\/websdk\/launch|status of 401/,
        note: 'the test puts an unknown SDK key into the page',
      },
    ]);
    const desktop = await run.desktop();
    // The page as the service sends it, but with an SDK key the sandbox does not know, set before docv-sdk.js runs.
    // (Not by rewriting the response: Chromium treats a page fulfilled by the test as public, and then refuses
    // its requests to the loopback sandbox.)
    await desktop.addInitScript(() => {
      new MutationObserver((_changes, observer) => {
        const root = document.querySelector('[data-docv-sdk]');
        if (!root) return;
        root.setAttribute('data-sdk-key', '00000000-0000-4000-8000-00000000dead');
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await startFlow(run, desktop, 'docv-web');
    await desktop
      .locator('[data-docv-sdk-state="fallback:INVALID_PUBLIC_KEY"]')
      .waitFor({ state: 'attached' });
    expect(await desktop.locator('img.qr').isVisible()).toBe(true);
    expect(await desktop.locator('a.link').isVisible()).toBe(true);
    expect(await desktop.locator('#docv-sdk-capture iframe').count()).toBe(0);
    await run.snap(desktop, 'unknown-key-fallback');
    expect(
      run.problems.tolerated.get('sdk-key-refused')?.length,
      'the sandbox refused the launch',
    ).toBeGreaterThan(0);
    await run.assertClean();
  });

  test('docv-web use phone: "Use my phone instead" puts the QR code and link back', async ({ task }) => {
    const run = newRun(task.name);
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-web');
    await desktop.locator('[data-docv-sdk-state="launched"]').waitFor();
    await captureFrameOf(desktop);
    await desktop.getByRole('button', { name: 'Use my phone instead' }).click();
    expect(await sdkState(desktop)).toBe('fallback:person');
    expect(await desktop.locator('img.qr').isVisible()).toBe(true);
    expect(await desktop.locator('#docv-sdk-capture iframe').count(), 'the SDK was reset').toBe(0);
    await run.snap(desktop, 'use-phone-instead');
    await run.assertClean();
  });

  test('idplus-device: the collector’s device session id reaches ID+ and devicerisk is scored', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { store } = run.env.service;
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'idplus-device');
    const sessionId = sessionIdOf(desktop);
    await desktop.locator('[data-device-state="collected"]').waitFor({ state: 'attached' });
    const deviceSessionId = await desktop.locator('input[name="deviceSessionId"]').inputValue();
    expect(deviceSessionId).toMatch(/^sandbox-device-[\w-]{24}$/);
    await run.snap(desktop, 'device-form');

    await desktop.getByRole('button', { name: 'Get my score' }).click();
    await waitForOutcome(desktop);
    await run.snap(desktop, 'device-result');
    const rows = await desktop.locator('table tbody tr th[scope=row]').allTextContents();
    expect(rows.map((r) => r.toLowerCase())).toContain('devicerisk');

    const result = (await store.getSessionData(sessionId))?.result as {
      scores: { deviceRisk?: { score: number; reasonCodes: string[] } };
    };
    expect(result.scores.deviceRisk?.score).toEqual(expect.any(Number));
    expect(result.scores.deviceRisk?.reasonCodes).not.toContain('R402');
    await run.assertClean();
  });
});
