import type { FastifyReply } from 'fastify';

/**
 * Server-rendered pages of the sandbox (capture app, admin, outbox). Values are escaped unless they are
 * already `SafeHtml`, so PII and URLs from requests can never inject markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

export const STYLESHEET_PATH = '/sandbox/assets/style.css';

/**
 * A capture page framed by the stand-in Web SDK: it may be framed by `parentOrigin` only, and its one script
 * (websdk/scripts.ts CAPTURE_BRIDGE_JS) posts `status` of transaction `token` to that origin.
 */
export interface FramedBy {
  parentOrigin: string;
  token: string;
  status: string;
}

export const CAPTURE_BRIDGE_SCRIPT = '/websdk/capture-bridge.js';

/** A whole document: viewport meta for phones, the one stylesheet, no scripts (but the bridge when framed). */
export function layout(title: string, body: SafeHtml, framedBy?: FramedBy, lang = 'en'): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${framedBy ? html`<script src="${CAPTURE_BRIDGE_SCRIPT}" defer></script>` : ''}
</head>
<body>
<main>
${body}
</main>
${framedBy ? html`<div hidden id="socure-sdk-bridge" data-parent-origin="${framedBy.parentOrigin}" data-token="${framedBy.token}" data-status="${framedBy.status}"></div>` : ''}
</body>
</html>
`.value;
}

// No script may run and nothing is loaded from elsewhere; form targets stay open for the redirect form.
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

// Framed by the Web SDK: that one page origin may frame it, and the bridge script (from here) may run.
const framedCsp = (parentOrigin: string) =>
  `default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; frame-ancestors ${parentOrigin}`;

export function sendPage(
  reply: FastifyReply,
  status: number,
  title: string,
  body: SafeHtml,
  framedBy?: FramedBy,
  /** The page's language (the capture app speaks the transaction's). */
  lang = 'en',
): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', framedBy ? framedCsp(framedBy.parentOrigin) : CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(layout(title, body, framedBy, lang));
}
