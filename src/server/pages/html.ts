import type { PageContext } from './page-context.js';

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A tagged template whose interpolations are escaped unless wrapped in `raw()`. */
export class Raw {
  constructor(readonly html: string) {}
}
export const raw = (html: string) => new Raw(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const part = Array.isArray(v)
      ? v.map((x) => (x instanceof Raw ? x.html : esc(x))).join('')
      : v instanceof Raw
        ? v.html
        : v === false || v === undefined || v === null
          ? ''
          : esc(v);
    out += part + strings[i + 1]!;
  });
  return raw(out);
}

export interface LayoutOptions {
  title: string;
  body: Raw;
  /** Reload the page after this many seconds (the no-JavaScript fallback of waiting pages). */
  refreshSeconds?: number;
  /** Script assets (served from /assets/), loaded deferred in this order. */
  scripts?: string[];
}

export function layout(
  ctx: PageContext,
  { title, body, refreshSeconds, scripts = [] }: LayoutOptions,
): string {
  const { brand } = ctx;
  const fullTitle = title && title !== brand.name ? `${title} · ${brand.name}` : brand.name;
  return `<!doctype html>
<html lang="${esc(ctx.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(fullTitle)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
${brand.theme ? '<link rel="stylesheet" href="/assets/theme.css">' : ''}
${brand.stylesheetUrl ? `<link rel="stylesheet" href="${esc(brand.stylesheetUrl)}">` : ''}
${refreshSeconds ? `<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>` : ''}
${scripts.map((s) => `<script src="/assets/${esc(s)}" defer></script>`).join('\n')}
</head>
<body>
<header class="brand">${brand.logoUrl ? `<img class="brand-logo" src="${esc(brand.logoUrl)}" alt="">` : ''}<span class="brand-name">${esc(brand.name)}</span></header>
<main class="card">
${body.html}
</main>
</body>
</html>
`;
}
