import { createRequire } from 'node:module';
import { deflateSync, constants as zlibConstants } from 'node:zlib';

// qrcode is loaded on first use, not at start: most processes (a service before its first DocV session, most CLI commands)
// never draw a code. The bundled CLI leaves them to node_modules (esbuild does not follow this require).
const require = createRequire(import.meta.url);
let qrcodeModule: typeof import('qrcode') | undefined;
const qrcode = (): typeof import('qrcode') => (qrcodeModule ??= require('qrcode'));

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
    svg: await qrcode().toString(text, {
      errorCorrectionLevel: ERROR_CORRECTION,
      margin: MARGIN,
      type: 'svg',
    }),
  };
}

/**
 * The PNG alone, as a data URL: 8-bit greyscale, every row with the "up" filter (a QR code's pixel rows repeat
 * SCALE times, so all but the first of each filter to zeros), deflated as pngjs would (level 9, RLE). The filtered
 * rows are written directly from the module matrix; the link is encoded as one byte-mode segment (a URL is bytes:
 * qrcode's search for the shortest mix of modes was a third of the drawing's CPU). ~0.7 ms instead of ~1.8 (pngjs):
 * the sandbox draws one for every DocV transaction it answers (bench/session-start.ts).
 */
export function createQrPng(text: string): string {
  const { modules } = qrcode().create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], {
    errorCorrectionLevel: ERROR_CORRECTION,
  });
  const size = (modules.size + 2 * MARGIN) * SCALE;
  const stride = size + 1; // the filter-type byte, then the row
  const filtered = Buffer.alloc(stride * size); // zeros: an unchanged row filters to zeros
  // The pixel row above the one being filtered (the "up" filter's predictor), and the row being built.
  let above = Buffer.alloc(size); // the row "above" the image is zeros
  let current = Buffer.alloc(size);
  for (let moduleRow = -MARGIN; moduleRow < modules.size + MARGIN; moduleRow++) {
    current.fill(255);
    if (moduleRow >= 0 && moduleRow < modules.size) {
      for (let col = 0; col < modules.size; col++) {
        if (!modules.get(moduleRow, col)) continue;
        const x = (col + MARGIN) * SCALE;
        current.fill(0, x, x + SCALE);
      }
    }
    const firstLine = (moduleRow + MARGIN) * SCALE;
    // The module row's first pixel row differs from the row above; its other SCALE - 1 rows repeat it (zeros).
    const at = firstLine * stride + 1;
    for (let x = 0; x < size; x++) filtered[at + x] = (current[x]! - above[x]!) & 0xff;
    for (let y = 0; y < SCALE; y++) filtered[(firstLine + y) * stride] = UP_FILTER;
    [above, current] = [current, above];
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale (compression, filter and interlace methods 0)
  const idat = deflateSync(filtered, { level: 9, strategy: zlibConstants.Z_RLE, chunkSize: 32 * 1024 });
  const png = Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

const UP_FILTER = 2;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** length, type, data, CRC-32 of type + data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk, 4, 8 + data.length), 8 + data.length);
  return chunk;
}

let crcTable: Uint32Array | undefined;
function crc32(bytes: Buffer, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The QR code drawn with block characters, for a terminal. */
export function qrCodeForTerminal(text: string): Promise<string> {
  return qrcode().toString(text, { type: 'terminal', small: true, errorCorrectionLevel: ERROR_CORRECTION });
}
