import { z } from 'zod';

/**
 * Embedding the hosted pages in the integrator's app (FRAME_ANCESTORS): which origins may frame them, the
 * browser cookie they need inside a frame of another site, and where the end page may post its notice.
 */

/** `'self'` or a bare origin (scheme, host, port), as CSP `frame-ancestors` takes it. */
export type FrameAncestor = string;

const SELF = "'self'";
const NONE = /^'?none'?$/i;

/** One entry of FRAME_ANCESTORS, normalised (`HTTPS://App.Example.com/` → `https://app.example.com`). */
function frameAncestor(entry: string): FrameAncestor | { error: string } {
  if (entry === SELF || entry.toLowerCase() === 'self') return SELF;
  if (entry.includes('*'))
    return {
      error: `${entry}: wildcards are refused (any site could frame the pages); name each origin, e.g. https://app.example.com`,
    };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return { error: `${entry}: must be an origin such as https://app.example.com or http://localhost:3000` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { error: `${entry}: must be an http(s) origin` };
  // A path, query or user in an origin would be dropped by the browser's check: say so instead of ignoring it.
  if (url.username || url.password || url.search || url.hash || !/^https?:\/\/[^/?#]+\/?$/i.test(entry))
    return { error: `${entry}: must be a bare origin (scheme, host and port; no path, query or user)` };
  return url.origin;
}

/**
 * FRAME_ANCESTORS: origins separated by commas or spaces; `none` (or empty) for no framing, the default.
 * `*` and wildcard hosts are refused: the list is also where the end page posts its notice.
 */
export const frameAncestorsSetting = z
  .string()
  .trim()
  .transform((value, ctx): FrameAncestor[] => {
    if (NONE.test(value)) return [];
    const out = new Set<FrameAncestor>();
    for (const entry of value.split(/[\s,]+/).filter(Boolean)) {
      const parsed = frameAncestor(entry);
      if (typeof parsed !== 'string') {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      out.add(parsed);
    }
    return [...out];
  });

/** The attributes of the browser cookie (see browser.ts). */
export interface BrowserCookiePolicy {
  secure: boolean;
  sameSite: 'lax' | 'none';
  /** CHIPS: kept per top-level site, so it is still kept where a browser blocks third-party cookies. */
  partitioned: boolean;
}

/** Browsers treat loopback as a secure context: they keep a `Secure` cookie sent over plain http there. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The browser cookie's attributes. Without framing by another origin: `SameSite=Lax` (Secure on https), as it
 * always was. With FRAME_ANCESTORS naming another origin, inside that site's frame a Lax cookie is neither kept
 * nor sent, and every request would look like a new browser (the session "open elsewhere"): the cookie is then
 * `SameSite=None; Secure; Partitioned`, which a browser keeps only over https (or on loopback). Over plain http on
 * another host nothing works inside a frame of another site: the cookie stays Lax (popup mode still works).
 */
export function browserCookiePolicy(
  publicUrl: string,
  frameAncestors: readonly FrameAncestor[] | undefined,
): BrowserCookiePolicy {
  const url = new URL(publicUrl);
  const https = url.protocol === 'https:';
  const framedByOthers = (frameAncestors ?? []).some((a) => a !== SELF && a !== url.origin);
  if (framedByOthers && (https || LOOPBACK.has(url.hostname)))
    return { secure: true, sameSite: 'none', partitioned: true };
  return { secure: https, sameSite: 'lax', partitioned: false };
}

/** Why framing by another site cannot work with these settings (shown at start and on /readyz), if it cannot. */
export function embeddingWarning(
  publicUrl: string,
  frameAncestors: readonly FrameAncestor[] | undefined,
): string | undefined {
  const url = new URL(publicUrl);
  const policy = browserCookiePolicy(publicUrl, frameAncestors);
  const framedByOthers = (frameAncestors ?? []).some((a) => a !== SELF && a !== url.origin);
  if (!framedByOthers || policy.sameSite === 'none') return undefined;
  return (
    `FRAME_ANCESTORS names other sites but PUBLIC_URL (${url.origin}) is plain http: browsers keep no cookie ` +
    'inside their frames, so the pages work there in popup mode only. Serve the pages over https.'
  );
}

/**
 * Where the end page posts its notice: every FRAME_ANCESTORS origin (`'self'` is our own). postMessage hands a
 * message only to a window of the named origin, so only the app that framed or opened the page receives it.
 */
export function noticeOrigins(
  publicUrl: string,
  frameAncestors: readonly FrameAncestor[] | undefined,
): string[] {
  const own = new URL(publicUrl).origin;
  return [...new Set((frameAncestors ?? []).map((a) => (a === SELF ? own : a)))];
}

/** Where a browser says a request's answer will be shown (Fetch Metadata): these are frames of another page. */
const FRAME_DESTINATIONS = new Set(['iframe', 'frame', 'embed', 'object']);

/**
 * True for a page load into a frame when no origin may frame the pages: the browser will refuse to show the
 * answer, so it must not claim the session for a browser that never sees it (the person's own tab would then be
 * told the session is open elsewhere). Browsers without Fetch Metadata are not told apart.
 */
export function isRefusedFrame(
  secFetchDest: string | string[] | undefined,
  frameAncestors: readonly FrameAncestor[] | undefined,
): boolean {
  return !frameAncestors?.length && typeof secFetchDest === 'string' && FRAME_DESTINATIONS.has(secFetchDest);
}

/** The answer to such a load: the browser shows nothing of it (frame-ancestors 'none'); a tool reads why. */
export const REFUSED_FRAME_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Not shown in a frame</title>' +
  '<p>This page is not shown inside another site (FRAME_ANCESTORS is not set). Open it directly.</p></html>\n';
