/**
 * Two service instances (real processes) on one PostgreSQL. A docv-qr session is created through instance A's
 * API; its waiting page is open in Chromium on instance B's own URL; the sandbox's webhook subscription points
 * at instance A. When the transaction completes, A receives the webhook and runs the session to its end, and B's
 * page must show the result without a reload by hand, fast enough that only B's event stream (A's commit →
 * PostgreSQL NOTIFY → B's LISTEN → SSE `change`) can have done it: the page's 10 s status poll is timed out of
 * the picture (the transaction is triggered right after a poll, and no poll may happen before the page moves).
 */

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { testKeysFor } from '../test/support/database.js';
import { eventually } from '../test/support/eventually.js';
import {
  createApiSession,
  INSTANCE_LOG_ROOT,
  killAllProcesses,
  randomSecret,
  type SandboxProcess,
  ServiceInstance,
  startSandboxProcess,
} from '../test/support/instances.js';
import { type TestDatabase, testDatabaseUrl } from '../test/support/postgres.js';
import { DESKTOP, launchChromium, PageProblems } from './support/browser.js';
import { countNavigations, waitForOutcome } from './support/flow.js';
import { Screenshots } from './support/screenshots.js';

/** The page must move within this long of A acknowledging the webhook; its status poll runs every 10 s. */
const SSE_BOUND_MS = 5_000;
const LOG_DIR = join(INSTANCE_LOG_ROOT, 'e2e-instances');

let db: TestDatabase | undefined;
let sandbox: SandboxProcess | undefined;
let browser: Browser | undefined;
let a: ServiceInstance | undefined;
let b: ServiceInstance | undefined;
let subscription = '';
let store: Store | undefined;
const webhookSecret = randomSecret('whs');
const apiKey = randomSecret('sck_e2e');

beforeAll(async () => {
  rmSync(LOG_DIR, { recursive: true, force: true });
  db = await testDatabaseUrl('e2e_instances');
  sandbox = await startSandboxProcess({ logDir: LOG_DIR });
  const instance = (name: string) =>
    new ServiceInstance({
      name,
      databaseUrl: db!.url,
      sandboxUrl: sandbox!.url,
      webhookSecret,
      apiKey,
      logDir: LOG_DIR,
    });
  a = instance('A');
  b = instance('B');
  await a.start(); // creates the shared settings (signing secret, webhook path)
  await b.start();
  expect(b.webhookPath).toBe(a.webhookPath);
  subscription = await sandbox.addSubscription({
    url: `${a.url}/webhooks/socure/${a.webhookPath}`,
    secret: webhookSecret,
    name: 'instance A',
  });
  store = await openStore(db.url, { dataEncryptionKeys: testKeysFor(db.url) });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await store?.close().catch(() => undefined);
  await Promise.all([a?.stop(), b?.stop(), sandbox?.stop()].map((p) => p?.catch(() => undefined)));
  await killAllProcesses();
  await db?.drop();
}, 60_000);

const h1 = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

describe('many instances in Chromium', () => {
  test('instances: the page on instance B shows the result of a webhook received by instance A, by SSE', async ({
    task,
  }) => {
    const shots = new Screenshots(task.name);
    const problems = new PageProblems({ 'sessions API key': apiKey, 'webhook secret': webhookSecret });
    const context = await browser!.newContext(DESKTOP);
    context.setDefaultTimeout(15_000);
    problems.watch(context, 'desktop');
    try {
      const created = await createApiSession(a!.url, apiKey, {
        flow: 'docv-qr',
        customerUserId: 'e2e-instances-1',
      });
      expect(created.status).toBe('waiting');
      expect(created.url.startsWith(a!.url), 'A built the session URL on its own public URL').toBe(true);

      // The waiting page on B, with its event stream (to B) and its status poll recorded.
      const page = await context.newPage();
      const polls: number[] = [];
      const streams: string[] = [];
      page.on('request', (req: Request) => {
        const url = new URL(req.url());
        if (url.pathname.endsWith('/status')) polls.push(Date.now());
        if (url.pathname.endsWith('/events')) streams.push(url.origin);
      });
      const eventStream = page.waitForRequest((req) => req.url().endsWith('/events'), { timeout: 15_000 });
      await page.goto(`${b!.url}${created.path}`);
      expect(await h1(page)).toBe('Verify your identity on your phone');
      await eventStream;
      await shots.take(page, 'waiting-on-instance-b');

      // Trigger right after a poll: the next one is 10 s away.
      await page.waitForRequest((req) => req.url().endsWith('/status'), { timeout: 15_000 });
      const navigations = countNavigations(page);
      let firstNavigationAt = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame() && firstNavigationAt === 0) firstNavigationAt = Date.now();
      });
      const token = (await store!.getSession(created.id))?.waitToken;
      expect(token, 'the session waits on a DocV transaction').toBeTruthy();
      const triggeredAt = Date.now();
      await sandbox!.trigger(token!, 'complete-accept');

      expect(await waitForOutcome(page, 20_000)).toBe('verified');
      const resultAt = Date.now();
      expect(await h1(page)).toBe("You're verified");
      expect(new URL(page.url()).origin, 'the page stayed on instance B').toBe(b!.url);
      await shots.take(page, 'result-on-instance-b');

      // When A acknowledged the resolving delivery (the sandbox logs each attempt once answered).
      const attempts = await eventually(
        async () => {
          const all = await sandbox!.deliveries(subscription);
          const done = all.find((d) => d.eventType === 'VERIFICATION_COMPLETED' && d.status === 'delivered');
          return done ? all : undefined;
        },
        'the VERIFICATION_COMPLETED delivery in the sandbox log',
        { timeoutMs: 10_000 },
      );
      const resolving = attempts.find(
        (d) => d.eventType === 'VERIFICATION_COMPLETED' && d.status === 'delivered',
      )!;
      const ackAt = Date.parse(resolving.at);
      const delivered = attempts.filter((d) => d.status === 'delivered').length;
      const pollsBetween = polls.filter((t) => t >= triggeredAt && t <= firstNavigationAt).length;
      const moved = firstNavigationAt - ackAt;
      console.log(
        `instances e2e: webhook → A acknowledged ${ackAt - triggeredAt} ms after the trigger (${delivered} deliveries, ` +
          `all to A); B's page navigated ${moved} ms after that ack and showed the result ${resultAt - ackAt} ms ` +
          `after it (${navigations()} navigations; ${pollsBetween} status polls in between; ${streams.length} event streams)`,
      );
      expect(attempts.every((d) => d.status === 'delivered')).toBe(true);
      expect(new Set(streams), 'every event stream went to instance B').toEqual(new Set([b!.url]));
      expect(firstNavigationAt, 'B’s page moved by itself').toBeGreaterThan(0);
      expect(pollsBetween, 'no status poll ran between the trigger and the page moving').toBe(0);
      expect(moved, `B's page moved ${moved} ms after A acknowledged the webhook`).toBeLessThan(SSE_BOUND_MS);
      expect(moved).toBeGreaterThan(-1_000); // the same clock: the page cannot move long before the ack

      await problems.assertNone();
      const errors = readdirSync(LOG_DIR).flatMap((f) =>
        readFileSync(join(LOG_DIR, f), 'utf8')
          .split('\n')
          .filter((l) => /"level":(50|60)/.test(l)),
      );
      expect(errors, 'error log lines of the instances').toEqual([]);
    } finally {
      await context.close().catch(() => undefined);
    }
  });
});
