import { z } from 'zod';

/** BRAND_PRIMARY_COLOR: a hex colour (#1f4fd1 or #14d). */
export const brandColor = z
  .string()
  .trim()
  .regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, 'must be a hex colour such as #1f4fd1')
  .transform((v) => v.toLowerCase());

/** BRAND_LOGO_URL / BRAND_STYLESHEET_URL: https (http only on localhost, for development). */
export const brandUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an https URL' }))
  .refine((v) => {
    const url = new URL(v);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, 'must be an https URL (http only for localhost)');

/** BRAND_NAME: shown in the header and page titles. */
export const brandName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters');
