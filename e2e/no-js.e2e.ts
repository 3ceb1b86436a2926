import { describe, expect, test } from 'vitest';
import { completeCapture } from './support/capture.js';
import { useE2E, useRuns } from './support/env.js';
import { countNavigations, sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';
import { decodeQrElement } from './support/qr.js';

const env = useE2E();
const newRun = useRuns(env);

describe('the waiting page without JavaScript', () => {
  test('no-js: a <noscript> meta refresh keeps the QR page current; after the phone completes, a reload shows the result; never the ID+ key', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const { service, images, secrets } = run.env;
    const desktop = await run.desktop({ javaScriptEnabled: false });
    await startFlow(run, desktop, 'docv-qr');
    const sessionId = sessionIdOf(desktop);
    const pageUrl = desktop.url();

    // The fallback: <noscript><meta http-equiv="refresh"> in the head (parsed as markup when scripts are off).
    const refresh = desktop.locator('head noscript meta[http-equiv="refresh"]');
    expect(await refresh.count()).toBe(1);
    const seconds = Number(await refresh.getAttribute('content'));
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(10);
    const link = await decodeQrElement(desktop.locator('img.qr'), run.shots.next('qr-code'));
    await run.snap(desktop, 'waiting-no-js');

    // It really refreshes by itself, and the refreshed page shows the same QR code (no new transaction).
    const navigations = countNavigations(desktop);
    await expect.poll(navigations, { timeout: (seconds + 5) * 1000, interval: 250 }).toBeGreaterThan(0);
    await desktop.locator('img.qr').waitFor();
    expect(desktop.url()).toBe(pageUrl);
    expect(await decodeQrElement(desktop.locator('img.qr'))).toBe(link);
    await run.snap(desktop, 'waiting-no-js-refreshed');

    const phone = await run.phone();
    await completeCapture(run, phone, link, images);
    await expect
      .poll(async () => (await service.store.getSession(sessionId))?.status, { timeout: 20_000 })
      .toBe('completed');

    await desktop.reload();
    expect(await waitForOutcome(desktop, 5_000)).toBe('verified');
    await run.snap(desktop, 'result-no-js');

    // Nothing a browser received holds the ID+ key: the waiting page's raw HTML, its status JSON, the result.
    const idPlusKey = secrets['ID+ key']!;
    expect(idPlusKey.length).toBeGreaterThan(8);
    // Read with the desktop browser's cookie (the session is that browser's); another browser gets 403.
    const cookie = (await desktop.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const path of ['', '/status']) {
      const res = await fetch(`${pageUrl}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(idPlusKey);
      const stranger = await fetch(`${pageUrl}${path}`);
      expect(stranger.status).toBe(403);
      expect(await stranger.text()).not.toContain(idPlusKey);
    }
    expect(await desktop.content()).not.toContain(idPlusKey);
    await run.assertClean();
  });
});
