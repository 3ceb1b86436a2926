import { createRequire } from 'node:module';

// Loaded on first use, not at start: most processes (a service before its first DocV session, most CLI commands)
// never draw a code. The bundled CLI leaves them to node_modules (esbuild does not follow this require).
const require = createRequire(import.meta.url);
let qrcodeModule: typeof import('qrcode') | undefined;
let pngjsModule: typeof import('pngjs') | undefined;
const qrcode = (): typeof import('qrcode') => (qrcodeModule ??= require('qrcode'));
const pngjs = (): typeof import('pngjs') => (pngjsModule ??= require('pngjs'));

export interface QrCodeImages {
  /** `data:image/png;base64,…`, ready for an <img src>. */
  pngDataUrl: string;
  /** A standalone SVG document. */
  svg: string;
}

const ERROR_CORRECTION = 'M' as const;
/** Quiet zone around the code, in modules. */
const MARGIN = 2;
/** Pixels per module: about 300 px for a capture link. */
const SCALE = 8;

/** Draws a QR code locally (no third-party service sees the capture link), as PNG and SVG. */
export async function createQrCode(text: string): Promise<QrCodeImages> {
  return {
    pngDataUrl: createQrPng(text),
    svg: await qrcode().toString(text, { errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, type: 'svg' }),
  };
}

/**
 * The PNG alone, as a data URL. Drawn as 8-bit greyscale with the "up" filter (a QR code's rows repeat, so they
 * filter to zeros): about 1 ms where qrcode's own renderer (RGBA, every filter tried per row) took 3–8 ms.
 */
export function createQrPng(text: string): string {
  const { modules } = qrcode().create(text, { errorCorrectionLevel: ERROR_CORRECTION });
  const size = (modules.size + 2 * MARGIN) * SCALE;
  const pixels = Buffer.alloc(size * size, 255);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < SCALE; y++) {
        const start = ((row + MARGIN) * SCALE + y) * size + (col + MARGIN) * SCALE;
        pixels.fill(0, start, start + SCALE);
      }
    }
  }
  const { PNG } = pngjs();
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = pixels;
  const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 2 });
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

/** The QR code drawn with block characters, for a terminal. */
export function qrCodeForTerminal(text: string): Promise<string> {
  return qrcode().toString(text, { type: 'terminal', small: true, errorCorrectionLevel: ERROR_CORRECTION });
}
