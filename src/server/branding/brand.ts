import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { SettingsError } from '../../connector/settings.js';
import type { Brand } from '../pages/page-context.js';
import type { CspAllowances } from '../security-headers.js';

export interface BrandSettings {
  brandName?: string;
  brandLogoUrl?: string;
  brandLogoFile?: string;
  brandPrimaryColor?: string;
  brandStylesheetUrl?: string;
}

/** The files the pages link when a brand asks for them, served under /assets/. */
export interface BrandAssets {
  themeCss?: string;
  logo?: { type: string; body: Buffer };
}

const LOGO_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};
const MAX_LOGO_BYTES = 512 * 1024;

/**
 * The pages' brand from the BRAND_* settings: the brand the layout uses, the assets it links, what the CSP must
 * allow (the logo's and stylesheet's origins), and warnings for an operator (a colour white text is hard to read on).
 */
export function loadBrand(s: BrandSettings): {
  brand: Brand;
  assets: BrandAssets;
  csp: Pick<CspAllowances, 'imgOrigins' | 'styleOrigins'>;
  warnings: string[];
} {
  if (s.brandLogoUrl && s.brandLogoFile)
    throw new SettingsError('BRAND_LOGO_FILE', 'and BRAND_LOGO_URL are both set: use one');
  const assets: BrandAssets = {};
  const warnings: string[] = [];
  const brand: Brand = { name: s.brandName ?? 'socure-connector' };
  if (s.brandLogoFile) {
    assets.logo = readLogo(s.brandLogoFile);
    brand.logoUrl = '/assets/brand-logo';
  } else if (s.brandLogoUrl) brand.logoUrl = s.brandLogoUrl;
  if (s.brandPrimaryColor) {
    // Buttons are white text on the primary colour; links are the colour on white.
    assets.themeCss = `:root {\n  --accent: ${s.brandPrimaryColor};\n}\n`;
    brand.theme = true;
    const ratio = contrastWithWhite(s.brandPrimaryColor);
    if (ratio < 4.5)
      warnings.push(
        `BRAND_PRIMARY_COLOR ${s.brandPrimaryColor} has a contrast of ${ratio.toFixed(1)}:1 with white (WCAG AA asks 4.5:1): button and link text will be hard to read`,
      );
  }
  if (s.brandStylesheetUrl) brand.stylesheetUrl = s.brandStylesheetUrl;
  const origin = (url: string | undefined) => (url?.startsWith('http') ? [new URL(url).origin] : []);
  return {
    brand,
    assets,
    csp: { imgOrigins: origin(brand.logoUrl), styleOrigins: origin(brand.stylesheetUrl) },
    warnings,
  };
}

function readLogo(path: string): { type: string; body: Buffer } {
  const type = LOGO_TYPES[extname(path).toLowerCase()];
  if (!type)
    throw new SettingsError(
      'BRAND_LOGO_FILE',
      `${path}: must be a ${Object.keys(LOGO_TYPES).join(', ')} file`,
    );
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new SettingsError(
      'BRAND_LOGO_FILE',
      `${path}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`,
    );
  }
  if (size > MAX_LOGO_BYTES)
    throw new SettingsError(
      'BRAND_LOGO_FILE',
      `${path}: ${size} bytes; at most ${MAX_LOGO_BYTES} (it is sent with every page)`,
    );
  return { type, body: readFileSync(path) };
}

/** WCAG 2 contrast ratio of a hex colour against white. */
export function contrastWithWhite(hex: string): number {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return 1.05 / (luminance + 0.05);
}
