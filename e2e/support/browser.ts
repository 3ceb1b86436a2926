import { accessSync, constants } from 'node:fs';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';

export const CHROMIUM_PATH = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches the system Chromium; a missing or broken browser is an error, never a reason to skip. */
export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `e2e: Chromium not found at ${CHROMIUM_PATH}. Install it (Debian: apt-get install chromium) ` +
        'or point E2E_CHROMIUM at a Chromium/Chrome binary. The browser tests cannot run without it.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  } catch (err) {
    throw new Error(`e2e: Chromium at ${CHROMIUM_PATH} failed to start: ${(err as Error).message}`);
  }
}

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'en-US' };

export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  locale: 'en-US',
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
};

/** A problem tolerated by the flow tests (and asserted by e2e/page-hygiene.e2e.ts) until it is fixed. */
export interface KnownIssue {
  id: string;
  pattern: RegExp;
  note: string;
}

/** None today: the favicon 404 and the double reload are fixed; add an entry here only with an issue to fix it. */
export const KNOWN_ISSUES: KnownIssue[] = [];

/**
 * Everything a page reports that a person would consider broken: console errors, CSP violations,
 * uncaught exceptions, failed requests, HTTP errors, and secrets in any HTML or JSON it receives.
 */
export class PageProblems {
  readonly problems: string[] = [];
  /** Problems matching a known issue, by issue id. */
  readonly tolerated = new Map<string, string[]>();
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly secrets: Record<string, string>,
    private readonly known: KnownIssue[] = KNOWN_ISSUES,
  ) {}

  #add(text: string): void {
    const issue = this.known.find((k) => k.pattern.test(text));
    if (!issue) {
      this.problems.push(text);
      return;
    }
    this.tolerated.set(issue.id, [...(this.tolerated.get(issue.id) ?? []), text]);
  }

  watch(context: BrowserContext, label: string): void {
    const add = (page: Page, what: string) => this.#add(`[${label}] ${what} (page ${page.url()})`);
    const attach = (page: Page) => {
      page.on('console', (msg) => {
        const text = msg.text();
        if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(text)) {
          const at = msg.location().url;
          add(page, `console.${msg.type()}: ${text}${at && at !== page.url() ? ` [${at}]` : ''}`);
        }
      });
      page.on('pageerror', (err) => add(page, `uncaught: ${err.message}`));
      page.on('response', (res) => {
        if (res.status() >= 400) add(page, `HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
        const type = res.request().resourceType();
        if (res.status() !== 200 || !['document', 'fetch', 'xhr'].includes(type)) return;
        const check = res
          .text()
          .catch(() => '')
          .then((body) => {
            for (const [what, value] of Object.entries(this.secrets)) {
              if (value && body.includes(value)) add(page, `the ${what} is in the answer to ${res.url()}`);
            }
          });
        this.#pending.add(check);
        void check.finally(() => this.#pending.delete(check));
      });
      page.on('requestfailed', (req) => {
        const failure = req.failure()?.errorText ?? 'failed';
        // A page that reloads itself aborts its own event stream; that is not a failure.
        if (failure === 'net::ERR_ABORTED' && req.resourceType() === 'eventsource') return;
        add(page, `request failed: ${req.resourceType()} ${req.method()} ${req.url()}: ${failure}`);
      });
    };
    for (const page of context.pages()) attach(page);
    context.on('page', attach);
  }

  /** Throws with every (not tolerated) problem seen so far, once the answers received are checked. */
  async assertNone(): Promise<void> {
    await Promise.all([...this.#pending]);
    if (this.problems.length > 0)
      throw new Error(`pages reported problems:\n  ${this.problems.join('\n  ')}`);
  }
}
