import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { resolveServiceSettings, type ServiceSettings } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { type RunningService, type ServiceOptions, startService } from '../../src/server/service.js';
import { databaseUrlFor, testKeysFor } from '../../test/support/database.js';
import { DESKTOP, KNOWN_ISSUES, type KnownIssue, launchChromium, PageProblems, PHONE } from './browser.js';
import { type CaptureImages, writeCaptureImages } from './images.js';
import { Screenshots } from './screenshots.js';

export interface E2EEnv {
  service: RunningService;
  /** Base URL of the embedded Socure sandbox (capture app, SMS outbox). */
  sandboxUrl: string;
  browser: Browser;
  images: CaptureImages;
  /** Values no page may ever contain. */
  secrets: Record<string, string>;
  /** Service log lines at level error or above. */
  serverErrors: string[];
}

/**
 * One service (embedded sandbox, temp SQLite file) and one Chromium per test file; `settings` changes the
 * service's. A failure to start either is rethrown by every test, so a missing browser fails the run instead of
 * skipping it.
 */
export function useE2E(
  settings: () => Partial<ServiceSettings> = () => ({}),
  /** More service options, e.g. the engine's clock (`now`). */
  options: ServiceOptions = {},
): () => E2EEnv {
  let env: E2EEnv | undefined;
  let startError: unknown;
  let dir: string | undefined;
  let service: RunningService | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    try {
      dir = mkdtempSync(join(tmpdir(), 'socure-e2e-'));
      const serverErrors: string[] = [];
      const logger = createLogger({
        level: 'warn',
        destination: {
          write(line: string) {
            if ((JSON.parse(line) as { level?: number }).level! >= 50) serverErrors.push(line.trim());
          },
        },
      });
      const databaseUrl = await databaseUrlFor(join(dir, 'e2e.db'));
      service = await startService(
        {
          ...resolveServiceSettings({}, {}),
          port: 0,
          sandboxPort: 0,
          databaseUrl,
          dataEncryptionKeys: testKeysFor(databaseUrl),
          // Read when the service starts (e.g. FRAME_ANCESTORS naming a server another hook started).
          ...settings(),
        },
        { tickMs: 200, logger, ...options },
      );
      if (!service.sandbox) throw new Error('e2e: the service did not start its embedded sandbox');
      browser = await launchChromium();
      env = {
        service,
        sandboxUrl: service.sandbox.url,
        browser,
        images: writeCaptureImages(dir),
        secrets: { 'ID+ key': service.sandbox.keys.sandbox.idPlusKey, 'sessions API key': service.apiKey },
        serverErrors,
      };
    } catch (err) {
      startError = err;
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  return () => {
    if (env) return env;
    throw startError instanceof Error ? startError : new Error(`e2e: setup failed: ${String(startError)}`);
  };
}

/** One test's browsers, screenshots and checks. Contexts are closed after the test. */
export class TestRun {
  readonly shots: Screenshots;
  readonly problems: PageProblems;
  readonly #contexts: BrowserContext[] = [];

  /** `known`: the problems to tolerate (default KNOWN_ISSUES; [] for none). */
  constructor(
    readonly env: E2EEnv,
    testName: string,
    known: KnownIssue[] = KNOWN_ISSUES,
  ) {
    this.shots = new Screenshots(testName);
    this.problems = new PageProblems(env.secrets, known);
  }

  get url(): string {
    return this.env.service.url;
  }

  async page(label: string, options: BrowserContextOptions): Promise<Page> {
    const context = await this.env.browser.newContext(options);
    context.setDefaultTimeout(15_000);
    this.#contexts.push(context);
    this.problems.watch(context, label);
    return context.newPage();
  }

  desktop(options: BrowserContextOptions = {}): Promise<Page> {
    return this.page(options.javaScriptEnabled === false ? 'desktop-nojs' : 'desktop', {
      ...DESKTOP,
      ...options,
    });
  }

  phone(): Promise<Page> {
    return this.page('phone', PHONE);
  }

  /** Screenshot of the whole page, after checking that its HTML holds no secret. */
  async snap(page: Page, name: string): Promise<void> {
    const content = await page.content();
    for (const [what, value] of Object.entries(this.env.secrets)) {
      if (value && content.includes(value)) throw new Error(`the page ${page.url()} contains the ${what}`);
    }
    await this.shots.take(page, name);
  }

  /** Fails on any console error, CSP violation, uncaught exception, HTTP error or server error log. */
  async assertClean(): Promise<void> {
    await this.problems.assertNone();
    if (this.env.serverErrors.length > 0) {
      throw new Error(`the service logged errors:\n  ${this.env.serverErrors.join('\n  ')}`);
    }
  }

  async close(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close().catch(() => undefined);
  }
}

/** A TestRun per test, closed after it: `const newRun = useRuns(env)`, then `newRun(task.name)` in a test. */
export function useRuns(getEnv: () => E2EEnv): (testName: string, known?: KnownIssue[]) => TestRun {
  const open: TestRun[] = [];
  afterEach(async () => {
    for (const run of open.splice(0)) await run.close();
  });
  return (testName, known) => {
    const run = new TestRun(getEnv(), testName, known);
    open.push(run);
    return run;
  };
}
