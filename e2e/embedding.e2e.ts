import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type E2EEnv, type TestRun, useE2E, useRuns } from './support/env.js';
import { waitForOutcome } from './support/flow.js';

/**
 * The integrator's app: pages on another site than the service (127.0.0.1 against the service's localhost, so
 * the frame is cross-site for cookies too), loading /embed.js from the service. `/app` opens a session given in
 * `?session=` with the buttons; `/decoy` (served on a second port: another origin again) forges the end page's
 * message to its parent.
 */
class AppPages {
  #servers: Server[] = [];
  /** The service's origin, known once it started (the pages are written on each request). */
  serviceOrigin = '';
  origin = '';
  decoyOrigin = '';

  async start(): Promise<void> {
    const app = await this.#listen((url) => (url.pathname === '/app' ? this.#app() : undefined));
    const decoy = await this.#listen((url) =>
      url.pathname === '/decoy' ? this.#decoy(url.searchParams.get('session') ?? '') : undefined,
    );
    this.origin = `http://127.0.0.1:${app}`;
    this.decoyOrigin = `http://127.0.0.1:${decoy}`;
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }

  async #listen(page: (url: URL) => string | undefined): Promise<number> {
    const server = createServer((req, res) => {
      const body = page(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body ?? 'not found');
    });
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  // The README's example, with a record of what the page heard (every message, and what embed.js reported).
  #app(): string {
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Your app</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; background: #eef3f8">
<h1>Your app</h1>
<p><button id="in-frame">Verify here</button> <button id="in-popup">Verify in a popup</button></p>
<div id="verify"></div>
<iframe id="decoy" hidden></iframe>
<script src="${this.serviceOrigin}/embed.js"></script>
<script>
  window.heard = [];
  window.completions = [];
  window.closes = 0;
  addEventListener('message', (e) => heard.push({ origin: e.origin, data: e.data }));
  const session = new URLSearchParams(location.search).get('session');
  const open = (mode) => {
    window.verification = SocureConnector.open(session, {
      mode,
      container: '#verify',
      onComplete: (result) => completions.push(result),
      onClose: () => closes++,
    });
  };
  document.getElementById('in-frame').onclick = () => open('iframe');
  document.getElementById('in-popup').onclick = () => open('popup');
</script>
</body></html>`;
  }

  #decoy(sessionId: string): string {
    const forged = JSON.stringify({
      type: 'socure-connector:session-ended',
      sessionId,
      status: 'completed',
      outcome: 'verified',
    });
    return `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script>parent.postMessage(${forged}, '*');</script></body></html>`;
  }
}

const apps = new AppPages();
// Before each block's service: FRAME_ANCESTORS names the app's origin.
beforeAll(() => apps.start());
afterAll(() => apps.close());

/** Starts a session of idplus-score through the sessions API (no input: the form shows the stock persona). */
async function createSession(env: E2EEnv): Promise<{ id: string; url: string }> {
  const res = await fetch(`${env.service.url}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.service.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ flow: 'idplus-score', customerUserId: `embed-${Date.now()}` }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

async function openApp(run: TestRun, sessionUrl: string): Promise<Page> {
  const page = await run.desktop();
  await page.goto(`${apps.origin}/app?session=${encodeURIComponent(sessionUrl)}`);
  return page;
}

/** The frame embed.js opened (the one on the service's origin). */
async function sessionFrame(page: Page): Promise<Frame> {
  await page.locator('#verify iframe').waitFor();
  const frame = await (await page.locator('#verify iframe').elementHandle())?.contentFrame();
  if (!frame) throw new Error('no session frame');
  return frame;
}

const heardFromService = (page: Page) =>
  page.evaluate(
    (origin) => (window as unknown as AppWindow).heard.filter((m) => m.origin === origin),
    apps.serviceOrigin,
  );
const completions = (page: Page) => page.evaluate(() => (window as unknown as AppWindow).completions);

interface AppWindow {
  heard: Array<{ origin: string; data: unknown }>;
  completions: unknown[];
  closes: number;
  verification: { close(): void };
}

describe('with FRAME_ANCESTORS naming the app', () => {
  // The pages on localhost (a port of 0 is filled in): the app on 127.0.0.1 is another site. A second origin
  // listed: the end page posts to both in a popup, and the app still hears one message.
  const env = useE2E(() => ({
    publicUrl: 'http://localhost:0',
    frameAncestors: [apps.origin, 'https://another-app.example'],
  }));
  const newRun = useRuns(env);
  beforeAll(() => {
    apps.serviceOrigin = new URL(env().service.publicUrl).origin;
  });

  test('embed-iframe: the session runs in a frame of another site and the app hears its outcome once; forged messages are ignored', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const session = await createSession(run.env);
    const app = await openApp(run, session.url);
    await app.getByRole('button', { name: 'Verify here' }).click();
    const frame = await sessionFrame(app);
    await frame.getByRole('button', { name: 'Get my score' }).waitFor();
    expect(await frame.locator('[name="firstName"]').inputValue()).toBe('Dwayne');
    await run.snap(app, 'app-with-form-in-frame');

    // Before the session ends: the same message from another origin (a frame of another port) and from the app's
    // own page reaches the app, and embed.js believes neither.
    await app.evaluate(
      (s) => {
        const decoy = document.getElementById('decoy') as HTMLIFrameElement;
        decoy.src = s.decoy;
        window.postMessage(
          { type: 'socure-connector:session-ended', sessionId: s.id, outcome: 'verified' },
          '*',
        );
      },
      { decoy: `${apps.decoyOrigin}/decoy?session=${session.id}`, id: session.id },
    );
    await expect
      .poll(() => app.evaluate(() => (window as unknown as AppWindow).heard.map((m) => m.origin)))
      .toEqual(expect.arrayContaining([apps.origin, apps.decoyOrigin]));
    expect(await completions(app)).toEqual([]);

    // The form is submitted inside the cross-site frame: its cookie (SameSite=None; Secure; Partitioned) comes back.
    await frame.getByRole('button', { name: 'Get my score' }).click();
    await expect.poll(() => completions(app), { timeout: 30_000 }).toHaveLength(1);
    expect(await completions(app)).toEqual([
      { sessionId: session.id, status: 'completed', outcome: 'verified' },
    ]);
    const badge = (await sessionFrame(app)).locator('main > p > span.badge').first();
    expect((await badge.textContent())?.trim()).toBe('verified');
    const heard = await heardFromService(app);
    expect(heard).toEqual([
      {
        origin: apps.serviceOrigin,
        data: {
          type: 'socure-connector:session-ended',
          sessionId: session.id,
          status: 'completed',
          outcome: 'verified',
        },
      },
    ]);
    await run.snap(app, 'app-with-result-in-frame');
    expect(await run.env.service.store.getSession(session.id)).toMatchObject({
      status: 'completed',
      outcome: 'verified',
    });
    const [cookie] = await app.context().cookies(apps.serviceOrigin);
    expect(cookie).toMatchObject({ name: 'sc_browser', sameSite: 'None', secure: true, httpOnly: true });

    // close() takes the frame away; it ended, so onClose is not called.
    await app.evaluate(() => (window as unknown as AppWindow).verification.close());
    expect(await app.locator('#verify iframe').count()).toBe(0);
    expect(await app.evaluate(() => (window as unknown as AppWindow).closes)).toBe(0);
    await run.assertClean();
  });

  test('embed-popup: the session runs in a popup and the app hears its outcome; a popup closed early calls onClose', async ({
    task,
  }) => {
    const run = newRun(task.name);
    const session = await createSession(run.env);
    const app = await openApp(run, session.url);
    const [popup] = await Promise.all([
      app.context().waitForEvent('page'),
      app.getByRole('button', { name: 'Verify in a popup' }).click(),
    ]);
    await popup.getByRole('button', { name: 'Get my score' }).click();
    expect(await waitForOutcome(popup)).toBe('verified');
    await run.snap(popup, 'popup-result');
    await expect.poll(() => completions(app), { timeout: 30_000 }).toHaveLength(1);
    expect(await completions(app)).toEqual([
      { sessionId: session.id, status: 'completed', outcome: 'verified' },
    ]);
    expect(await heardFromService(app)).toHaveLength(1);
    await app.evaluate(() => (window as unknown as AppWindow).verification.close());
    await expect.poll(() => popup.isClosed()).toBe(true);
    expect(await app.evaluate(() => (window as unknown as AppWindow).closes)).toBe(0);

    // Another session whose popup the person closes before the end: onClose, and no outcome.
    const other = await createSession(run.env);
    const app2 = await openApp(run, other.url);
    const [popup2] = await Promise.all([
      app2.context().waitForEvent('page'),
      app2.getByRole('button', { name: 'Verify in a popup' }).click(),
    ]);
    await popup2.getByRole('button', { name: 'Get my score' }).waitFor();
    await popup2.close();
    await expect.poll(() => app2.evaluate(() => (window as unknown as AppWindow).closes)).toBe(1);
    expect(await completions(app2)).toEqual([]);
    await run.assertClean();
  });
});

describe('without FRAME_ANCESTORS', () => {
  const env = useE2E(() => ({ publicUrl: 'http://localhost:0' }));
  const newRun = useRuns(env);
  beforeAll(() => {
    apps.serviceOrigin = new URL(env().service.publicUrl).origin;
  });

  test('embed-refused: the browser refuses to show the pages in a frame of the app, and the frame claims nothing', async ({
    task,
  }) => {
    const run = newRun(task.name, [
      {
        id: 'frame-refused',
        pattern: /violates the following Content Security Policy directive: "frame-ancestors 'none'"/,
        note: 'what this test expects',
      },
      { id: 'blocked', pattern: /ERR_BLOCKED_BY_RESPONSE/, note: 'the frame, blocked by the answer' },
      {
        id: 'refused-answer',
        pattern: /HTTP 403 GET \S+\/s\/|status of 403 \(\) \[chrome-error:/,
        note: "the frame's answer: 403, the session not claimed",
      },
    ]);
    const session = await createSession(run.env);
    const app = await openApp(run, session.url);
    await app.getByRole('button', { name: 'Verify here' }).click();
    await expect.poll(() => run.problems.tolerated.get('frame-refused')?.length ?? 0).toBeGreaterThan(0);
    expect(run.problems.tolerated.get('frame-refused')!.join('\n')).toContain(
      `Framing '${apps.serviceOrigin}/' violates`,
    );
    await expect.poll(() => run.problems.tolerated.get('blocked')?.join('\n') ?? '').toContain(session.url);
    const frame = await sessionFrame(app);
    expect(await frame.locator('form').count()).toBe(0);
    expect(await completions(app)).toEqual([]);
    await run.snap(app, 'app-frame-refused');

    // The refused frame did not claim the session: the same browser opening the link gets the form.
    const tab = await app.context().newPage();
    await tab.goto(session.url);
    await tab.getByRole('button', { name: 'Get my score' }).waitFor();
    await run.snap(tab, 'session-opened-directly');
    await run.assertClean();
  });
});
