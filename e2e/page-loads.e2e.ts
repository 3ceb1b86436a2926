/**
 * A waiting page loads once per page the person should see (Chromium, every document load of the session's page
 * counted). Between the wait and the result the engine commits three steps (resume, ID+ fetch, branch); the page
 * used to reload on the first, into "Just a moment", and up to three more times.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { triggerScenario } from '../test/server/helpers.js';
import { eventually } from '../test/support/eventually.js';
import { createApiSession } from '../test/support/instances.js';
import { type TestRun, useE2E, useRuns } from './support/env.js';
import { sessionIdOf, startFlow, waitForOutcome } from './support/flow.js';

const env = useE2E();
const newRun = useRuns(env);

/** A page's own title, without the brand every title ends with (`Just a moment · socure-connector`). */
const pageTitle = (title: string) => title.replace(/ · [^·]+$/, '');

/** From now on: the document requests for the page's URL (a reload it aborted counts too) and each load's title. */
function recordLoads(page: Page): () => Promise<{ requests: number; titles: string[] }> {
  const path = new URL(page.url()).pathname;
  let requests = 0;
  const titles: Array<Promise<string>> = [];
  page.on('request', (req) => {
    if (req.resourceType() === 'document' && new URL(req.url()).pathname === path) requests++;
  });
  page.on('load', () => titles.push(page.title().then(pageTitle)));
  return async () => ({ requests, titles: await Promise.all(titles) });
}

/** Waits for the result page to have loaded (it has no script: nothing reloads it after), then the record. */
async function loadsUntilResult(page: Page, loads: () => Promise<{ requests: number; titles: string[] }>) {
  expect(await waitForOutcome(page)).toBe('verified');
  return eventually(async () => {
    const record = await loads();
    return record.titles.at(-1) === RESULT && record;
  }, 'the result page loaded');
}

const RESULT = "You're verified";

/** Completes the session's DocV transaction in the sandbox (accept): its webhooks then reach the service. */
async function completeTransaction(run: TestRun, sessionId: string): Promise<void> {
  const token = await eventually(async () => {
    const session = await run.env.service.store.getSession(sessionId);
    return session?.status === 'waiting' && session.waitToken;
  }, 'the session waiting on its DocV transaction');
  await triggerScenario(run.env.sandboxUrl, token, 'complete-accept');
}

describe('page loads', () => {
  test('page-loads: docv-qr reloads once, from the QR code to the result', async ({ task }) => {
    const run = newRun(task.name);
    const desktop = await run.desktop();
    await startFlow(run, desktop, 'docv-qr');
    await desktop.locator('img.qr').waitFor();
    const loads = recordLoads(desktop);

    await completeTransaction(run, sessionIdOf(desktop));
    expect(await loadsUntilResult(desktop, loads)).toEqual({ requests: 1, titles: [RESULT] });
    await run.snap(desktop, 'result');
    await run.assertClean();
  });

  test('page-loads: a step waiting for its retry is a page of its own, then the QR code, then the result', async ({
    task,
  }) => {
    const run = newRun(task.name);
    // The DocV request answers 503 three times (the client's two retries included): the step is retried later.
    const created = await createApiSession(run.url, run.env.service.apiKey, {
      flow: 'docv-qr',
      customerUserId: `fault-503-x3-${randomUUID()}`,
    });
    const desktop = await run.desktop();
    await desktop.goto(`${run.url}${created.path}`);
    expect(pageTitle(await desktop.title())).toBe('Just a moment');
    await run.snap(desktop, 'retry-waiting');
    const loads = recordLoads(desktop);

    await desktop.locator('img.qr').waitFor({ timeout: 30_000 });
    await completeTransaction(run, created.id);
    expect(await loadsUntilResult(desktop, loads)).toEqual({
      requests: 2,
      titles: ['Verify your identity on your phone', RESULT],
    });
    await run.assertClean();
  });
});
