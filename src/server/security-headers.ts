/** Headers every answer of the service carries (set in app.ts's onSend hook and on event streams). */

/** Strict: our own scripts and styles only, images from us or data: URLs (QR codes), no framing. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Browsers reach us over https only, for a year (PUBLIC_URL is https). */
export const HSTS = 'max-age=31536000';
