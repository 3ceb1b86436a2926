import type { CspAllowances } from './security-headers.js';

/** Socure's DocV Web SDK v5 (socure-api.md §5.3, confirmed by several integrations). */
export const SOCURE_WEB_SDK_URL = 'https://websdk.socure.com/bundle.js';
/**
 * Where Socure's Web SDK talks to, frames its capture app and loads images from: Socure's own hosts
 * (verify-v2.socure.com, verify.socure.com, service.socure.com…). Which exact hosts is not published, so every
 * socure.com subdomain.
 */
const SOCURE_HOSTS = 'https://*.socure.com';

/** The embedded sandbox's stand-ins (src/sandbox/websdk, src/sandbox/device). */
export const SANDBOX_WEB_SDK_PATH = '/websdk/bundle.js';
export const SANDBOX_DEVICE_SCRIPT_PATH = '/device/sigma.js';

/** Socure's scripts the hosted pages load, with the public SDK key (never the ID+ key). */
export interface FrontEndScripts {
  /** DocV inside the page (wait nodes with `docvSdk`); absent without an SDK key. */
  docv?: { sdkKey: string; scriptUrl: string };
  /** The device collector (screens with `deviceSession`); absent without an SDK key or a script URL. */
  device?: { publicKey: string; scriptUrl: string };
}

export interface FrontEndSources {
  /** SOCURE_SDK_KEY, or the embedded sandbox's SDK key. */
  sdkKey?: string;
  /** The embedded sandbox's address as a browser reaches it; absent with real Socure. */
  sandboxUrl?: string;
  /** SOCURE_DEVICE_SCRIPT_URL: Socure's Sigma Device script (its address is not public knowledge). */
  deviceScriptUrl?: string;
}

/** Which scripts the pages load, and what the Content-Security-Policy must allow for them. */
export function frontEndScripts(from: FrontEndSources): { scripts: FrontEndScripts; csp: CspAllowances } {
  const scripts: FrontEndScripts = {};
  const csp = {
    scriptOrigins: [] as string[],
    connectOrigins: [] as string[],
    frameOrigins: [] as string[],
    imgOrigins: [] as string[],
  };
  const allow = (list: string[], origin: string) => {
    if (!list.includes(origin)) list.push(origin);
  };
  if (!from.sdkKey) return { scripts, csp: {} };
  if (from.sandboxUrl) {
    const sandbox = new URL(from.sandboxUrl).origin;
    scripts.docv = { sdkKey: from.sdkKey, scriptUrl: `${sandbox}${SANDBOX_WEB_SDK_PATH}` };
    scripts.device = { publicKey: from.sdkKey, scriptUrl: `${sandbox}${SANDBOX_DEVICE_SCRIPT_PATH}` };
    // The stand-ins load from, call and frame the sandbox only.
    allow(csp.scriptOrigins, sandbox);
    allow(csp.connectOrigins, sandbox);
    allow(csp.frameOrigins, sandbox);
    return { scripts, csp };
  }
  scripts.docv = { sdkKey: from.sdkKey, scriptUrl: SOCURE_WEB_SDK_URL };
  allow(csp.scriptOrigins, new URL(SOCURE_WEB_SDK_URL).origin);
  allow(csp.connectOrigins, SOCURE_HOSTS);
  allow(csp.frameOrigins, SOCURE_HOSTS);
  allow(csp.imgOrigins, SOCURE_HOSTS);
  if (from.deviceScriptUrl) {
    const origin = new URL(from.deviceScriptUrl).origin;
    scripts.device = { publicKey: from.sdkKey, scriptUrl: from.deviceScriptUrl };
    allow(csp.scriptOrigins, origin);
    allow(csp.connectOrigins, origin);
    allow(csp.connectOrigins, SOCURE_HOSTS);
  }
  return { scripts, csp };
}

/** Two sets of CSP allowances in one, each origin once (branding and embedding settings add theirs). */
export function mergeCsp(a: CspAllowances | undefined, b: CspAllowances): CspAllowances {
  const out: Record<string, readonly string[]> = { ...(a ?? {}) };
  for (const [key, origins] of Object.entries(b) as Array<[keyof CspAllowances, readonly string[]]>) {
    if (!origins?.length) continue;
    out[key] = [...new Set([...(out[key] ?? []), ...origins])];
  }
  return out as CspAllowances;
}
