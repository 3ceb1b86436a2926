import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveriesOf,
  docvRequest,
  docvResult,
  FULL_SEQUENCE,
  type Rig,
  startRig,
  typesOf,
} from '../test/sandbox/docv-support.js';
import { eventually } from '../test/support/eventually.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/capture/', import.meta.url));
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A small real PNG (a coloured card with a darker band), written with pngjs. */
function writePng(path: string, width: number, height: number, rgb: [number, number, number]) {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (width * y + x) << 2;
      const band = y > height / 3 && y < height / 2 ? 0.6 : 1;
      png.data[i] = Math.round(rgb[0] * band);
      png.data[i + 1] = Math.round(rgb[1] * band);
      png.data[i + 2] = Math.round(rgb[2] * band);
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

describe('capture app in a real phone-sized Chromium', () => {
  let rig: Rig;
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is required at ${CHROMIUM} for the capture-app browser test (CI installs Debian's chromium package).`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'capture-browser-'));
    mkdirSync(SHOTS, { recursive: true });
    writePng(join(dir, 'front.png'), 320, 200, [40, 90, 200]);
    writePng(join(dir, 'back.png'), 320, 200, [60, 160, 90]);
    writePng(join(dir, 'selfie.png'), 200, 260, [220, 170, 140]);
    rig = await startRig();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      timeout: 30_000,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('goes from consent to done, uploading real image files, firing the whole sequence', async () => {
    const tx = await docvRequest(rig, { customerUserId: 'browser-1', firstName: 'Ann', surName: 'Lee' });
    expect(tx.status, tx.text).toBe(200);
    const { referenceId, data } = tx.json;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: false, // the app must work without scripts
    });
    const page = await context.newPage();
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    try {
      await page.goto(data.url);
      await expect(page.getByRole('heading', { name: 'Verify your identity' }).isVisible()).resolves.toBe(
        true,
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390); // no sideways scrolling on a phone
      await shot('1-consent');
      await page.getByRole('button', { name: 'Accept and continue' }).click();

      await page.getByRole('heading', { name: 'Choose your document' }).waitFor();
      await shot('2-document-type');
      await page.getByLabel('Driver’s license or state ID').check();
      await page.getByRole('button', { name: 'Continue' }).click();

      for (const [side, label, heading] of [
        ['front', 'Photo of the front of your document', 'Front of your document'],
        ['back', 'Photo of the back of your document', 'Back of your document'],
        ['selfie', 'Selfie (a photo of your face)', 'Take a selfie'],
      ] as const) {
        await page.getByRole('heading', { name: heading }).waitFor();
        await page.getByLabel(label).setInputFiles(join(dir, `${side}.png`));
        await shot(`3-${side}`);
        await page.getByRole('button', { name: 'Upload' }).click();
      }

      await page.getByRole('heading', { name: 'Review and submit' }).waitFor();
      expect(await page.getByLabel('Simulated outcome (sandbox only)').inputValue()).toBe('auto');
      await shot('4-review');
      await page.getByRole('button', { name: 'Submit' }).click();

      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      await shot('5-done');
      expect(existsSync(join(SHOTS, '5-done.png'))).toBe(true);
    } finally {
      await context.close();
    }

    const deliveries = await eventually(() => {
      const d = deliveriesOf(rig.receiver, referenceId);
      return d.length >= FULL_SEQUENCE.length && d;
    }, 'the whole sequence');
    expect(typesOf(deliveries)).toEqual(FULL_SEQUENCE);
    const state = await fetch(`${rig.sandbox.url}/sandbox/transactions/${data.docvTransactionToken}`).then(
      (r) => r.json(),
    );
    expect(state.uploads.front.bytes).toBeGreaterThan(100); // the real PNG arrived, not an empty part
    const result = await docvResult(rig, data.docvTransactionToken);
    expect(result.json.documentVerification.decision.value).toBe('accept');
    expect(result.json.documentVerification.documentData).toMatchObject({ firstName: 'Ann', surName: 'Lee' });
  }, 60_000);
});
