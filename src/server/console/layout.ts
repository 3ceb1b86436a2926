/**
 * The console's page frame: plain HTML, its own stylesheet (screen and print) and scripts, all served by the
 * service under /console/assets/ (the CSP allows nothing else). Operator pages are in English.
 */
import { esc, html, type Raw, raw } from '../pages/html.js';

export { esc, html, type Raw, raw };

export interface ConsolePage {
  title: string;
  body: Raw;
  /** Which tab is current. */
  section?: 'sessions' | 'inbox' | 'charts';
  /** Scripts under /console/assets/, deferred. */
  scripts?: string[];
  /** The logout form's token (absent on the login page). */
  csrf?: string;
}

const SECTIONS = [
  ['sessions', 'Sessions', '/console/sessions'],
  ['inbox', 'Webhook inbox', '/console/inbox'],
  ['charts', 'Charts', '/console/charts'],
] as const;

export function consolePage({ title, body, section, scripts = [], csrf }: ConsolePage): string {
  const nav = csrf
    ? html`<nav class="tabs" aria-label="Console">
${SECTIONS.map(([id, label, href]) => html`<a href="${href}"${raw(section === id ? ' aria-current="page"' : '')}>${label}</a>`)}
<form method="post" action="/console/logout" class="logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form>
</nav>`
    : raw('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)} · Operator console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
${scripts.map((s) => `<script src="/console/assets/${esc(s)}" defer></script>`).join('\n')}
</head>
<body>
<header class="top"><strong>socure-connector</strong> · operator console ${nav.html}</header>
<main>
<h1>${esc(title)}</h1>
${body.html}
</main>
</body>
</html>
`;
}

export const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined
    ? ''
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');

/** A personal value as the console shows it until revealed: its shape, not its content. */
export function mask(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || text === '') return '';
  if (text.length <= 4) return '••••';
  return `${text[0]}${'•'.repeat(Math.min(text.length - 2, 8))}${text.at(-1)}`;
}
