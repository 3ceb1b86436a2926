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
  script?: string;
}

export function layout({ title, body, refreshSeconds, script }: LayoutOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
${refreshSeconds ? `<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>` : ''}
${script ? `<script src="/assets/${esc(script)}" defer></script>` : ''}
</head>
<body>
<main class="card">
${body.html}
</main>
</body>
</html>
`;
}
