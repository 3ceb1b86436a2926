import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export interface CaptureImages {
  front: string;
  back: string;
  selfie: string;
}

/** A small PNG: a coloured card with a darker band, so each "photo" has distinct bytes. */
export function pngImage(width: number, height: number, rgb: [number, number, number]): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (width * y + x) << 2;
      const band = y > height / 3 && y < (2 * height) / 3 ? 0.6 : 1;
      png.data[i] = Math.round(rgb[0] * band);
      png.data[i + 1] = Math.round(rgb[1] * band);
      png.data[i + 2] = Math.round(rgb[2] * band);
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Front, back and selfie PNG files in a fresh temp folder, for `setInputFiles`. */
export function writeCaptureImages(dir = mkdtempSync(join(tmpdir(), 'e2e-images-'))): CaptureImages {
  const write = (name: string, data: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  return {
    front: write('front.png', pngImage(64, 40, [40, 90, 200])),
    back: write('back.png', pngImage(64, 40, [200, 120, 40])),
    selfie: write('selfie.png', pngImage(48, 48, [230, 190, 160])),
  };
}
