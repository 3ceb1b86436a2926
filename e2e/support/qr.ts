import { createRequire } from 'node:module';
import type { Locator } from 'playwright-core';
import { PNG } from 'pngjs';

type DecodeQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

// jsqr is a CommonJS bundle whose function sits on `default`; resolve it the same way in Node and Vite.
const jsqrModule = createRequire(import.meta.url)('jsqr') as DecodeQr | { default: DecodeQr };
const jsQR: DecodeQr = typeof jsqrModule === 'function' ? jsqrModule : jsqrModule.default;

/** Decodes a PNG (e.g. a screenshot) holding a QR code; throws when none can be read. */
export function decodeQrPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
    image.width,
    image.height,
  );
  if (!code)
    throw new Error(`no QR code could be decoded from the ${image.width}×${image.height} screenshot`);
  return code.data;
}

/** What a phone camera would read: the pixels of the rendered element, not its attributes. */
export async function decodeQrElement(element: Locator, savePath?: string): Promise<string> {
  await element.scrollIntoViewIfNeeded();
  const png = await element.screenshot({ path: savePath, animations: 'disabled' });
  return decodeQrPng(png);
}
