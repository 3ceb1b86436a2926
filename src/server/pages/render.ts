import type { FormField, NodeOf } from '../../flows/definition.js';
import { formText } from '../../flows/form.js';
import type { SessionRow } from '../../store/types.js';
import { html, layout, raw } from './html.js';
import { renderScoreDetails } from './score-details.js';
import { WORKING_PAGE } from './visible-page.js';

export interface SessionLinks {
  /** The signed session page, e.g. /s/<id>/<sig>. */
  page: string;
  csrf: string;
}

// A refused form is shown again with what was sent: only text goes back into a field (never String() on an object).
const str = (v: unknown) => formText(v) ?? '';

export function renderIndex(
  flows: Array<{ id: string; title: string; description?: string; csrf: string }>,
): string {
  if (flows.length === 0)
    // No public flow (PUBLIC_FLOWS=none): sessions start from the app's own links.
    return layout({
      title: 'socure-connector',
      body: html`
<h1>Identity verification</h1>
<p>There is nothing to start here. Please use the verification link you were given.</p>`,
    });
  return layout({
    title: 'socure-connector',
    body: html`
<h1>Identity verification flows</h1>
<p class="muted">Start a flow to try it. Each session gets its own private link.</p>
<ul class="flows">
${flows.map(
  (f) => html`<li><h2>${f.title}</h2>${f.description ? html`<p class="muted">${f.description}</p>` : ''}
<form method="post" action="/flows/${f.id}/start"><input type="hidden" name="csrf" value="${f.csrf}"><button type="submit">Start</button></form></li>`,
)}
</ul>`,
  });
}

function fieldHtml(f: FormField, value: string, error: string | undefined) {
  const id = `f-${f.name}`;
  const described = [f.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  if (f.type === 'hidden') return html`<input type="hidden" name="${f.name}" value="${value}">`;
  const common = html`id="${id}" name="${f.name}" ${f.required ? raw('required') : ''} ${
    described ? html`aria-describedby="${described}"` : ''
  } ${error ? raw('aria-invalid="true"') : ''}`;
  const control =
    f.type === 'select'
      ? html`<select ${common}>${(f.options ?? []).map(
          (o) =>
            html`<option value="${o.value}" ${o.value === value ? raw('selected') : ''}>${o.label}</option>`,
        )}</select>`
      : html`<input type="${f.type}" ${common} value="${value}" maxlength="${f.maxLength}" ${
          f.autocomplete ? html`autocomplete="${f.autocomplete}"` : ''
        }>`;
  return html`<label for="${id}">${f.label}${f.required ? '' : raw(' <span class="muted">(optional)</span>')}</label>
${control}
${f.help ? html`<p class="help" id="${id}-help">${f.help}</p>` : ''}
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}`;
}

export function renderScreen(
  node: NodeOf<'screen'>,
  nodeId: string,
  links: SessionLinks,
  values: Record<string, unknown>,
  errors: Record<string, string>,
  banner: string | undefined,
): string {
  return layout({
    title: node.title,
    body: html`
<h1>${node.title}</h1>
${node.message ? html`<p>${node.message}</p>` : ''}
${banner ? html`<p class="alert" role="alert">${banner}</p>` : ''}
<form method="post" action="${links.page}/submit" novalidate>
<input type="hidden" name="csrf" value="${links.csrf}">
<input type="hidden" name="node" value="${nodeId}">
${node.fields.map((f) => fieldHtml(f, str(values[f.name]), errors[f.name]))}
<button type="submit">${node.submitLabel}</button>
</form>`,
  });
}

export function renderWait(
  page: {
    title: string;
    message?: string;
    qrCode?: string;
    link?: string;
    linkLabel?: string;
    statusText?: string;
  },
  session: SessionRow,
  links: SessionLinks,
  /** The page's name (see visible-page.ts): its script reloads when the session shows another. */
  shows: string,
): string {
  const qr = page.qrCode?.startsWith('data:image/') ? page.qrCode : undefined;
  return layout({
    title: page.title,
    refreshSeconds: 5,
    script: 'wait.js',
    body: html`
<h1>${page.title}</h1>
${page.message ? html`<p>${page.message}</p>` : ''}
${qr ? html`<img class="qr" src="${qr}" alt="QR code of the verification link" width="288" height="288">` : ''}
${page.link ? html`<p><a class="link" href="${page.link}" target="_blank" rel="noopener noreferrer">${page.linkLabel ?? page.link}</a></p>` : ''}
<p class="status" role="status" aria-live="polite" data-session-events="${links.page}/events" data-session-status="${links.page}/status" data-version="${session.version}" data-page="${shows}"><span class="spinner" aria-hidden="true"></span> ${page.statusText ?? 'Waiting…'}</p>`,
  });
}

export function renderWorking(session: SessionRow, links: SessionLinks): string {
  return renderWait(
    { title: 'Just a moment', message: 'We are processing your information.' },
    session,
    links,
    WORKING_PAGE,
  );
}

export function renderEnd(
  outcome: NodeOf<'end'>['outcome'],
  page: { title: string; message?: string; continueLabel?: string; retryLabel?: string },
  scoreDetails: unknown,
  session: SessionRow,
  /** Undefined when the flow cannot be started from the pages (PUBLIC_FLOWS): no "Start again" button. */
  restartCsrf: string | undefined,
): string {
  const back = session.returnUrl ? withSessionId(session.returnUrl, session.id) : undefined;
  const retry = outcome === 'failed' || outcome === 'expired';
  return layout({
    title: page.title,
    body: html`
<h1>${page.title}</h1>
<p><span class="badge ${outcome}">${outcome}</span></p>
${page.message ? html`<p>${page.message}</p>` : ''}
${retry ? supportReference(session.id) : ''}
${scoreDetails && typeof scoreDetails === 'object' ? renderScoreDetails(scoreDetails) : ''}
${back ? html`<a class="button" href="${back}">${page.continueLabel ?? 'Continue'}</a>` : ''}
${
  retry && !back && restartCsrf !== undefined
    ? html`<form method="post" action="/flows/${session.flowId}/start"><input type="hidden" name="csrf" value="${restartCsrf}"><button type="submit" class="secondary button">${page.retryLabel ?? 'Start again'}</button></form>`
    : ''
}`,
  });
}

export function withSessionId(returnUrl: string, sessionId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('session_id', sessionId);
  return url.href;
}

/** What a person quotes to support: the session id (the details are in the log and the timeline). */
function supportReference(sessionId: string) {
  return html`<p class="muted">Support reference: <code>${sessionId}</code></p>`;
}

export function renderError(title: string, message: string, retryHref?: string, reference?: string): string {
  return layout({
    title,
    body: html`
<h1>${title}</h1>
<p>${message}</p>
${reference ? supportReference(reference) : ''}
${retryHref ? html`<a class="button" href="${retryHref}">Try again</a>` : ''}`,
  });
}
