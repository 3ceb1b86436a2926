import type { Page } from 'playwright-core';
import type { TestRun } from './env.js';

/** Opens /flows/<id> on the desktop and clicks Start; resolves on the session page. */
export async function startFlow(run: TestRun, page: Page, flowId: string): Promise<void> {
  await page.goto(`${run.url}/flows/${flowId}`);
  await run.snap(page, `${flowId}-start`);
  await page.getByRole('button', { name: 'Start' }).click();
  await page.waitForURL(/\/s\/[^/]+\/[^/]+$/);
}

/** The session id of a signed session page URL (/s/<id>/<sig>). */
export function sessionIdOf(page: Page): string {
  const match = /\/s\/([^/]+)\/[^/?#]+/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a session page: ${page.url()}`);
  return match[1]!;
}

/** Counts the main-frame navigations of a page, to prove it moved on by itself. */
export function countNavigations(page: Page): () => number {
  let n = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) n++;
  });
  return () => n;
}

/** Waits (without touching the page) until it shows a final result: the outcome badge under the title. */
export async function waitForOutcome(page: Page, timeout = 45_000): Promise<string> {
  const badge = page.locator('main > p > span.badge').first();
  await badge.waitFor({ state: 'visible', timeout });
  return ((await badge.textContent()) ?? '').trim();
}
