/** Headers every answer of the service carries (set in app.ts's onSend hook and on event streams). */

/** Origins beyond our own that the pages may use, from the settings (branding, embedding, Socure's scripts). */
export interface CspAllowances {
  /** Origins allowed to frame the pages (FRAME_ANCESTORS); none: no framing at all. */
  frameAncestors?: readonly string[];
  /** Extra script origins (Socure's Web SDK and device collector with a real key). */
  scriptOrigins?: readonly string[];
  /** Extra stylesheet origins (BRAND_STYLESHEET_URL). */
  styleOrigins?: readonly string[];
  /** Extra image origins (BRAND_LOGO_URL). */
  imgOrigins?: readonly string[];
  /** Extra fetch/XHR/WebSocket origins (Socure's scripts talk to their own hosts). */
  connectOrigins?: readonly string[];
  /** Extra frame origins (the capture app inside the page with the Web SDK). */
  frameOrigins?: readonly string[];
}

const list = (own: string, extra: readonly string[] | undefined) => [own, ...(extra ?? [])].join(' ');

/**
 * Strict: our own scripts and styles only (plus origins the settings name), images from us or data: URLs (QR
 * codes), no framing unless FRAME_ANCESTORS names who may.
 */
export function buildCsp(allow: CspAllowances = {}): string {
  return [
    "default-src 'none'",
    `script-src ${list("'self'", allow.scriptOrigins)}`,
    `style-src ${list("'self'", allow.styleOrigins)}`,
    `img-src ${list("'self' data:", allow.imgOrigins)}`,
    `connect-src ${list("'self'", allow.connectOrigins)}`,
    ...(allow.frameOrigins?.length ? [`frame-src ${allow.frameOrigins.join(' ')}`] : []),
    "form-action 'self'",
    `frame-ancestors ${allow.frameAncestors?.length ? allow.frameAncestors.join(' ') : "'none'"}`,
    "base-uri 'none'",
  ].join('; ');
}

/** The policy with nothing allowed beyond our own origin. */
export const CSP = buildCsp();

/** Browsers reach us over https only, for a year (PUBLIC_URL is https). */
export const HSTS = 'max-age=31536000';
