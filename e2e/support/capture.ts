import type { Page } from 'playwright-core';
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
 * front, back, selfie (file uploads), review and submit. Returns the headings seen, in order.
 */
export async function completeCapture(
  run: TestRun,
  phone: Page,
  link: string,
  images: CaptureImages,
): Promise<string[]> {
  const response = await phone.goto(link);
  if (!response?.ok()) throw new Error(`the capture link ${link} answered ${response?.status()}`);
  const seen: string[] = [];
  for (let guard = 0; guard < 10; guard++) {
    const h1 = await heading(phone);
    seen.push(h1);
    const upload = async (file: string, step: string) => {
      await phone.locator('input[type=file]#image').setInputFiles(file);
      await run.snap(phone, `phone-${step}-chosen`);
      await submitAndLoad(phone, () => phone.getByRole('button', { name: 'Upload' }).click());
    };
    switch (h1) {
      case 'Verify your identity':
        await run.snap(phone, 'phone-consent');
        await submitAndLoad(phone, () => phone.getByRole('button', { name: 'Accept and continue' }).click());
        break;
      case 'Choose your document':
        await run.snap(phone, 'phone-document-type');
        await phone.getByLabel('Driver’s license or state ID').check();
        await submitAndLoad(phone, () => phone.getByRole('button', { name: 'Continue' }).click());
        break;
      case 'Front of your document':
        await upload(images.front, 'front');
        break;
      case 'Back of your document':
        await upload(images.back, 'back');
        break;
      case 'Take a selfie':
        await upload(images.selfie, 'selfie');
        break;
      case 'Review and submit':
        await run.snap(phone, 'phone-review');
        await submitAndLoad(phone, () => phone.getByRole('button', { name: 'Submit' }).click());
        break;
      case 'Thank you':
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
