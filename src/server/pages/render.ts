import type { FieldError } from '../../flows/form.js';
import { formText } from '../../flows/form.js';
import type { LocalizedField, LocalizedScreen } from '../../flows/localized.js';
import type { Outcome, SessionRow } from '../../store/types.js';
import type { MessageKey } from '../i18n/en.js';
import { embedNotice } from './embed-notice.js';
import { html, layout, type Raw, raw } from './html.js';
import type { PageContext } from './page-context.js';
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
  ctx: PageContext,
  flows: Array<{ id: string; title: string; description?: string; csrf: string }>,
): string {
  const { t } = ctx;
  if (flows.length === 0)
    // No public flow (PUBLIC_FLOWS=none): sessions start from the app's own links.
    return layout(ctx, {
      title: '',
      body: html`
<h1>${t('index.none.heading')}</h1>
<p>${t('index.none.message')}</p>`,
    });
  return layout(ctx, {
    title: '',
    body: html`
<h1>${t('index.heading')}</h1>
<p class="muted">${t('index.intro')}</p>
<ul class="flows">
${flows.map(
  (f) => html`<li><h2>${f.title}</h2>${f.description ? html`<p class="muted">${f.description}</p>` : ''}
<form method="post" action="/flows/${f.id}/start"><input type="hidden" name="csrf" value="${f.csrf}"><button type="submit">${t('index.start')}</button></form></li>`,
)}
</ul>`,
  });
}

/** A refused field's message in the page's language, naming the field by its label. */
export function fieldErrorText(ctx: PageContext, field: Pick<LocalizedField, 'label'>, error: FieldError) {
  return ctx.t(`form.${error.code}` as MessageKey, { label: field.label, max: error.max ?? '' });
}

function fieldHtml(ctx: PageContext, f: LocalizedField, value: string, error: string | undefined) {
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
  return html`<label for="${id}">${f.label}${f.required ? '' : html` <span class="muted">${ctx.t('form.optional')}</span>`}</label>
${control}
${f.help ? html`<p class="help" id="${id}-help">${f.help}</p>` : ''}
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}`;
}

export function renderScreen(
  ctx: PageContext,
  node: LocalizedScreen,
  nodeId: string,
  links: SessionLinks,
  values: Record<string, unknown>,
  /** Messages beside fields, by field name, already in the page's language. */
  errors: Record<string, string>,
  banner: string | undefined,
  /** Extra markup inside the form after the fields (e.g. the device data collector's hidden field). */
  formExtra?: ReturnType<typeof html>,
): string {
  return layout(ctx, {
    title: node.title,
    body: html`
<h1>${node.title}</h1>
${node.message ? html`<p>${node.message}</p>` : ''}
${banner ? html`<p class="alert" role="alert">${banner}</p>` : ''}
<form method="post" action="${links.page}/submit" novalidate>
<input type="hidden" name="csrf" value="${links.csrf}">
<input type="hidden" name="node" value="${nodeId}">
${node.fields.map((f) => fieldHtml(ctx, f, str(values[f.name]), errors[f.name]))}
${formExtra ?? ''}
<button type="submit">${node.submitLabel ?? ctx.t('end.continue')}</button>
</form>`,
  });
}

export function renderWait(
  ctx: PageContext,
  page: {
    title: string;
    message?: string;
    qrCode?: string;
    link?: string;
    linkLabel?: string;
    statusText?: string;
    /** More of the page under the link, e.g. the SMS flow's resend controls (sms-controls.ts). */
    controls?: Raw;
    /** Above the QR code: DocV inside the page with Socure's Web SDK (docv-sdk.ts). */
    inPage?: Raw;
  },
  session: SessionRow,
  links: SessionLinks,
  /** The page's name (see visible-page.ts): its script reloads when the session shows another. */
  shows: string,
): string {
  const { t } = ctx;
  const qr = page.qrCode?.startsWith('data:image/') ? page.qrCode : undefined;
  return layout(ctx, {
    title: page.title,
    refreshSeconds: 5,
    scripts: ['wait.js'],
    body: html`
<h1>${page.title}</h1>
${page.message ? html`<p>${page.message}</p>` : ''}
${page.inPage ?? ''}
${qr ? html`<img class="qr" src="${qr}" alt="${t('wait.qrAlt')}" width="288" height="288">` : ''}
${page.link ? html`<p><a class="link" href="${page.link}" target="_blank" rel="noopener noreferrer">${page.linkLabel ?? page.link}</a></p>` : ''}
<p class="status" role="status" aria-live="polite" data-session-events="${links.page}/events" data-session-status="${links.page}/status" data-version="${session.version}" data-page="${shows}"><span class="spinner" aria-hidden="true"></span> ${page.statusText ?? t('wait.status')}</p>
${page.controls ?? ''}`,
  });
}

export function renderWorking(ctx: PageContext, session: SessionRow, links: SessionLinks): string {
  return renderWait(
    ctx,
    { title: ctx.t('working.title'), message: ctx.t('working.message') },
    session,
    links,
    WORKING_PAGE,
  );
}

export function renderEnd(
  ctx: PageContext,
  outcome: Outcome,
  page: { title: string; message?: string; continueLabel?: string; retryLabel?: string },
  scoreDetails: unknown,
  session: SessionRow,
  /** Undefined when the flow cannot be started from the pages (PUBLIC_FLOWS): no "Start again" button. */
  restartCsrf: string | undefined,
  /** FRAME_ANCESTORS: the apps told that the session ended when they framed or opened the page (embed-notice.ts). */
  embedOrigins?: readonly string[],
): string {
  const { t } = ctx;
  const back = session.returnUrl ? withSessionId(session.returnUrl, session.id) : undefined;
  const retry = outcome === 'failed' || outcome === 'expired';
  return layout(ctx, {
    title: page.title,
    body: html`
<h1>${page.title}</h1>
<p><span class="badge ${outcome}">${t(`outcome.${outcome}` as MessageKey)}</span></p>
${page.message ? html`<p>${page.message}</p>` : ''}
${retry ? supportReference(ctx, session.id) : ''}
${scoreDetails && typeof scoreDetails === 'object' ? renderScoreDetails(ctx.t, scoreDetails) : ''}
${back ? html`<a class="button" href="${back}">${page.continueLabel ?? t('end.continue')}</a>` : ''}
${
  retry && !back && restartCsrf !== undefined
    ? html`<form method="post" action="/flows/${session.flowId}/start"><input type="hidden" name="csrf" value="${restartCsrf}"><button type="submit" class="secondary button">${page.retryLabel ?? t('end.startAgain')}</button></form>`
    : ''
}
${embedNotice(session, outcome, embedOrigins)}`,
  });
}

export function withSessionId(returnUrl: string, sessionId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('session_id', sessionId);
  return url.href;
}

/** What a person quotes to support: the session id (the details are in the log and the timeline). */
function supportReference(ctx: PageContext, sessionId: string) {
  return html`<p class="muted">${ctx.t('end.supportReference')} <code>${sessionId}</code></p>`;
}

export function renderError(
  ctx: PageContext,
  title: string,
  message: string,
  retryHref?: string,
  reference?: string,
): string {
  return layout(ctx, {
    title,
    body: html`
<h1>${title}</h1>
<p>${message}</p>
${reference ? supportReference(ctx, reference) : ''}
${retryHref ? html`<a class="button" href="${retryHref}">${ctx.t('error.tryAgain')}</a>` : ''}`,
  });
}
