import type { Frame, Page } from 'playwright-core';
import type { TestRun } from './env.js';
import type { CaptureImages } from './images.js';

/** What completeCaptureInFrame sees when the page itself moved on (the frame went with it). */
export const PAGE_MOVED_ON = '(the page moved on)';

/**
 * Clicks something in a frame that submits its form, and waits for the frame's next page, or for the page
 * around it to move on (the last step's webhook can end the wait before the frame shows "Thank you").
 */
async function submitInFrame(
  page: Page,
  frame: Frame,
  click: () => Promise<void>,
): Promise<'frame' | 'page'> {
  const quiet = <T>(p: Promise<T>) => {
    p.catch(() => undefined);
    return p;
  };
  const inFrame = quiet(page.waitForEvent('framenavigated', { predicate: (f) => f === frame }));
  const around = quiet(page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }));
  await click();
  const which = await Promise.race([
    inFrame.then(() => 'frame' as const),
    around.then(() => 'page' as const),
  ]);
  if (which === 'frame') await frame.waitForLoadState('load').catch(() => undefined);
  return frame.isDetached() ? 'page' : which;
}

/** The frame the (stand-in) Web SDK put into the page's DocV container, once its first page has loaded. */
export async function captureFrameOf(page: Page): Promise<Frame> {
  const element = page.locator('#docv-sdk-capture iframe');
  await element.waitFor();
  const frame = await (await element.elementHandle())?.contentFrame();
  if (!frame) throw new Error('the DocV container holds no frame');
  await frame.waitForLoadState('load');
  return frame;
}

/**
 * Walks the sandbox capture app inside the page's frame the way a person would (like completeCapture on a
 * phone): consent, document type, front, back, selfie, review and submit. Screenshots are of the whole page,
 * frame included. Returns the headings seen in the frame, in order, ending with "Thank you", or PAGE_MOVED_ON
 * when the page reloaded to its result first.
 */
export async function completeCaptureInFrame(
  run: TestRun,
  page: Page,
  frame: Frame,
  images: CaptureImages,
): Promise<string[]> {
  const seen: string[] = [];
  for (let guard = 0; guard < 10; guard++) {
    // Once the documents are in, the webhook can end the wait and the page reload, taking the frame along.
    const h1 = await frame
      .locator('h1')
      .first()
      .textContent()
      .then((text) => (text ?? '').trim())
      .catch((err: unknown) => {
        if (frame.isDetached() && seen.at(-1) === 'Review and submit') return PAGE_MOVED_ON;
        throw err;
      });
    if (h1 === PAGE_MOVED_ON) {
      seen.push(h1);
      return seen;
    }
    seen.push(h1);
    const upload = async (file: string, step: string) => {
      await frame.locator('input[type=file]#image').setInputFiles(file);
      await run.snap(page, `in-page-${step}-chosen`);
      await submitInFrame(page, frame, () => frame.getByRole('button', { name: 'Upload' }).click());
    };
    switch (h1) {
      case 'Verify your identity':
        await run.snap(page, 'in-page-consent');
        await submitInFrame(page, frame, () =>
          frame.getByRole('button', { name: 'Accept and continue' }).click(),
        );
        break;
      case 'Choose your document':
        await frame.getByLabel('Driver’s license or state ID').check();
        await submitInFrame(page, frame, () => frame.getByRole('button', { name: 'Continue' }).click());
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
        await run.snap(page, 'in-page-review');
        await submitInFrame(page, frame, () => frame.getByRole('button', { name: 'Submit' }).click());
        break;
      case 'Thank you':
        return seen;
      default:
        await run.snap(page, 'in-page-unexpected');
        throw new Error(`unexpected capture page "${h1}" after ${seen.slice(0, -1).join(' → ') || 'launch'}`);
    }
  }
  throw new Error(`the capture app did not finish: ${seen.join(' → ')}`);
}
