import type { Request } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { useE2E, useRuns } from './support/env.js';
import { startFlow, waitForOutcome } from './support/flow.js';
import { decodeQrElement } from './support/qr.js';

const env = useE2E();
const newRun = useRuns(env);

/** The problems the flow tests tolerate (KNOWN_ISSUES in support/browser.ts), asserted strictly here. */
describe('page hygiene (strict: no known issue tolerated)', () => {
  test('favicon: service and capture-app pages load without a console error', async ({ task }) => {
    const run = newRun(task.name, []);
    const desktop = await run.desktop();
    await desktop.goto(`${run.url}/`);
    await desktop.getByRole('heading', { name: 'Identity verification flows' }).waitFor();
    await run.snap(desktop, 'index');
    await startFlow(run, desktop, 'docv-qr');
    const link = await decodeQrElement(desktop.locator('img.qr'));
    const phone = await run.phone();
    await phone.goto(link);
    await run.snap(phone, 'capture-consent');
    // Each page names its icon as a data: URL, so the browser never asks the server for /favicon.ico (a 404
    // and a console error); then each page's loading has settled before the problems are counted.
    for (const page of [desktop, phone]) {
      expect(await page.locator('head link[rel="icon"]').getAttribute('href')).toMatch(/^data:/);
      await page.waitForLoadState('networkidle');
    }
    await run.assertClean();
  });

  test('single-reload: a waiting page never aborts its own reload when the session moves on', async ({
    task,
  }) => {
    const run = newRun(task.name, []);
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-qr');
    const link = await decodeQrElement(desktop.locator('img.qr'));
    const sessionPage = desktop.url();
    // A slow network: each reload of the session page takes 400 ms, so later change events arrive meanwhile.
    await desktop.route(sessionPage, async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue().catch(() => undefined); // aborted by the page meanwhile
    });
    const aborted: Request[] = [];
    desktop.on('requestfailed', (req) => {
      if (req.resourceType() === 'document') aborted.push(req);
    });

    const phone = await run.phone();
    await completeCapture(run, phone, link, run.env.images);
    expect(await waitForOutcome(desktop)).toBe('verified');
    await run.snap(desktop, 'result');
    expect(aborted.map((r) => `${r.url()}: ${r.failure()?.errorText}`)).toEqual([]);
    await run.assertClean();
  });
});
