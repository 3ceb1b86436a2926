import type { Page } from 'playwright-core';
import { type CaptureLanguage, type CaptureTextKey, captureTexts } from '../../src/sandbox/capture/texts.js';
import type { TestRun } from './env.js';
import type { CaptureImages } from './images.js';

/** Clicks something that submits a form and waits for the page it leads to. */
export async function submitAndLoad(page: Page, click: () => Promise<void>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await click();
  await loaded;
}

const heading = async (page: Page) => ((await page.locator('h1').first().textContent()) ?? '').trim();

/**
 * Walks the sandbox capture app on the phone the way a person would: consent, document type when asked,
 * front, back, selfie (file uploads), review and submit — in the app's language (`language`: the DocV
 * transaction's). Returns the headings seen, in order.
 */
export async function completeCapture(
  run: TestRun,
  phone: Page,
  link: string,
  images: CaptureImages,
  language: CaptureLanguage = 'en',
): Promise<string[]> {
  const text = captureTexts(language);
  const response = await phone.goto(link);
  if (!response?.ok()) throw new Error(`the capture link ${link} answered ${response?.status()}`);
  const seen: string[] = [];
  const button = (key: CaptureTextKey) => phone.getByRole('button', { name: text(key) });
  for (let guard = 0; guard < 10; guard++) {
    const h1 = await heading(phone);
    seen.push(h1);
    const upload = async (file: string, step: string) => {
      await phone.locator('input[type=file]#image').setInputFiles(file);
      await run.snap(phone, `phone-${step}-chosen`);
      await submitAndLoad(phone, () => button('upload.button').click());
    };
    switch (h1) {
      case text('consent.title'):
        await run.snap(phone, 'phone-consent');
        await submitAndLoad(phone, () => button('consent.accept').click());
        break;
      case text('documentType.title'):
        await run.snap(phone, 'phone-document-type');
        await phone.getByLabel(text('documentType.license')).check();
        await submitAndLoad(phone, () => button('continue').click());
        break;
      case text('front.title'):
        await upload(images.front, 'front');
        break;
      case text('back.title'):
        await upload(images.back, 'back');
        break;
      case text('selfie.title'):
        await upload(images.selfie, 'selfie');
        break;
      case text('review.title'):
        await run.snap(phone, 'phone-review');
        await submitAndLoad(phone, () => button('review.submit').click());
        break;
      case text('done.title'):
        await run.snap(phone, 'phone-done');
        return seen;
      default:
        await run.snap(phone, 'phone-unexpected');
        throw new Error(
          `unexpected capture page "${h1}" after ${seen.slice(0, -1).join(' → ') || 'opening the link'}`,
        );
    }
  }
  throw new Error(`the capture app did not finish: ${seen.join(' → ')}`);
}
