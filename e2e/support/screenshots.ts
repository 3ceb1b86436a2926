import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

export const SCREENSHOT_ROOT = resolve(import.meta.dirname, '../../artifacts/screenshots');

export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'test';

/**
 * Numbered full-page screenshots of one test: artifacts/screenshots/<test>/<nn>-<name>.png, where <test> is
 * the test name up to its first colon ("docv-qr: the phone …" → docv-qr). The folder is emptied first.
 */
export class Screenshots {
  readonly dir: string;
  #n = 0;

  constructor(testName: string) {
    this.dir = join(SCREENSHOT_ROOT, slug(testName.split(':')[0]!));
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** The path the next shot will use (for element screenshots). */
  next(name: string): string {
    this.#n++;
    return join(this.dir, `${String(this.#n).padStart(2, '0')}-${slug(name)}.png`);
  }

  async take(page: Page, name: string): Promise<string> {
    const path = this.next(name);
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    return path;
  }
}
