/** The console's sessions pages: the searchable list, and one session with its timeline, callbacks and actions. */
import type { SessionAuditEntry } from '../../store/operator-types.js';
import { OUTCOMES, type OutboundWebhook, type SessionRow, type TimelineEvent } from '../../store/types.js';
import { consolePage, html, iso, mask, type Raw, raw } from './layout.js';

export interface SessionListView {
  csrf: string;
  flows: string[];
  /** The form's values as typed (to show them again). */
  form: Record<string, string>;
  sessions: SessionRow[];
  nextPage?: string;
  problem?: string;
}

const option = (value: string, selected: string | undefined, label = value) =>
  html`<option value="${value}"${raw(value === selected ? ' selected' : '')}>${label}</option>`;

function select(name: string, values: readonly string[], selected: string | undefined): Raw {
  return html`<select name="${name}" id="f-${name}">${option('', selected, 'any')}${values.map((v) => option(v, selected))}</select>`;
}

export function sessionListPage(v: SessionListView): string {
  const f = v.form;
  const body = html`
<form method="get" action="/console/sessions" class="search" role="search">
<label for="f-flow">Flow</label>${select('flow', v.flows, f.flow)}
<label for="f-status">Status</label>${select('status', ['running', 'input', 'waiting', 'completed'], f.status)}
<label for="f-outcome">Outcome</label>${select('outcome', OUTCOMES, f.outcome)}
<label for="f-customer">customerUserId</label><input id="f-customer" name="customerUserId" value="${f.customerUserId ?? ''}" autocomplete="off">
<label for="f-from">From (UTC)</label><input id="f-from" name="from" type="date" value="${f.from ?? ''}">
<label for="f-to">To (UTC)</label><input id="f-to" name="to" type="date" value="${f.to ?? ''}">
<button type="submit">Search</button>
</form>
${v.problem ? html`<p class="problem" role="alert">${v.problem}</p>` : ''}
<table class="list">
<thead><tr><th>Created</th><th>Session</th><th>Flow</th><th>Status</th><th>Outcome</th><th>customerUserId</th></tr></thead>
<tbody>
${v.sessions.map(
  (s) => html`<tr>
<td>${iso(s.createdAt)}</td>
<td><a href="/console/sessions/${s.id}">${s.id}</a></td>
<td>${s.flowId}</td><td>${s.status}</td><td>${s.outcome ?? '—'}</td>
<td class="masked">${s.customerUserId === null ? '—' : mask(s.customerUserId)}</td>
</tr>`,
)}
</tbody>
</table>
${v.sessions.length === 0 ? html`<p>No session matches.</p>` : ''}
${v.nextPage ? html`<p><a href="${v.nextPage}" rel="next">Older sessions →</a></p>` : ''}`;
  return consolePage({ title: 'Sessions', section: 'sessions', csrf: v.csrf, body });
}

/** The search form's fields as the list's "next page" link repeats them. */
export function searchParams(form: Record<string, string>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['flow', 'status', 'outcome', 'customerUserId', 'from', 'to'] as const)
    if (form[key]) params.set(key, form[key]);
  return params;
}

export interface SessionView {
  csrf: string;
  session: SessionRow;
  input: Record<string, unknown>;
  timeline: TimelineEvent[];
  audit: SessionAuditEntry[];
  callbacks: OutboundWebhook[];
  /** The one field revealed by this answer (after an audited reveal), if any. */
  revealed?: string;
  notice?: string;
}

function revealButton(v: SessionView, field: string): Raw {
  return html`<form method="post" action="/console/sessions/${v.session.id}/reveal" class="inline">
<input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="field" value="${field}">
<button type="submit" class="link">reveal</button></form>`;
}

function personal(v: SessionView, field: string, value: unknown): Raw {
  if (value === null || value === undefined || value === '') return html`—`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (v.revealed === field) return html`<span class="revealed" data-field="${field}">${text}</span>`;
  return html`<span class="masked" data-field="${field}">${mask(text)}</span> ${revealButton(v, field)}`;
}

const detailText = (detail: Record<string, unknown>) =>
  Object.entries(detail)
    .map(([k, val]) => `${k}: ${typeof val === 'string' ? val : JSON.stringify(val)}`)
    .join(' · ');

function timelineRows(timeline: TimelineEvent[]): Raw[] {
  const start = timeline[0]?.at ?? 0;
  return timeline.map((e, i) => {
    const previous = timeline[i - 1];
    const step = previous ? e.at - previous.at : 0;
    const webhook =
      e.type === 'resumed'
        ? html`<br><strong>resolved by webhook</strong> ${String(e.detail.eventType ?? '')} (delivery ${String(e.detail.deliveryId ?? '')})`
        : '';
    return html`<tr class="ev-${e.type}">
<td>${e.seq}</td><td>${iso(e.at)}</td><td class="num">+${e.at - start} ms</td><td class="num">${step} ms</td>
<td>${e.type}</td><td>${detailText(e.detail)}${webhook}</td></tr>`;
  });
}

function socureCalls(audit: SessionAuditEntry[]): Raw {
  const calls = audit.filter((a) => a.type === 'socure.call');
  if (calls.length === 0) return html`<p>No Socure call recorded.</p>`;
  return html`<table class="list">
<thead><tr><th>At</th><th>Call</th><th>HTTP status</th><th>referenceId</th><th>Attempts</th><th>Duration</th></tr></thead>
<tbody>${calls.map(
    (
      c,
    ) => html`<tr><td>${iso(c.at)}</td><td>${String(c.detail.method ?? '')} ${String(c.detail.endpoint ?? '')}</td>
<td>${c.detail.status === null ? 'no answer' : String(c.detail.status ?? '')}</td><td class="ref">${String(c.detail.referenceId ?? '—')}</td>
<td class="num">${String(c.detail.attempts ?? '—')}</td><td class="num">${String(c.detail.durationMs ?? '')} ms</td></tr>`,
  )}</tbody></table>`;
}

function callbackRows(v: SessionView): Raw {
  if (v.callbacks.length === 0)
    return html`<p>No callback to the app (none configured, or the session has not ended).</p>`;
  return html`<table class="list">
<thead><tr><th>Callback</th><th>URL</th><th>Status</th><th>Attempts</th><th>Next attempt</th><th>Last error</th><th></th></tr></thead>
<tbody>${v.callbacks.map(
    (
      c,
    ) => html`<tr class="cb-${c.status}"><td>${c.id}</td><td>${c.url}</td><td>${c.status}</td><td class="num">${c.attempts}</td>
<td>${c.status === 'pending' ? iso(c.nextAttemptAt) : '—'}</td><td>${c.lastError ?? ''}</td>
<td>${
      c.status === 'failed'
        ? html`<form method="post" action="/console/callbacks/${c.id}/retry" class="inline">
<input type="hidden" name="csrf" value="${v.csrf}"><input type="hidden" name="session" value="${v.session.id}">
<button type="submit">Retry</button></form>`
        : ''
    }</td></tr>`,
  )}</tbody></table>`;
}

export function sessionPage(v: SessionView): string {
  const s = v.session;
  const inputs = Object.entries(v.input);
  const others = v.audit.filter((a) => a.type !== 'socure.call');
  const body = html`
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<dl class="facts">
<dt>Session</dt><dd>${s.id}</dd>
<dt>Flow</dt><dd>${s.flowId}</dd>
<dt>Status</dt><dd id="status">${s.status}${s.status === 'completed' ? ` (${s.outcome})` : ` at ${s.nodeId}`}</dd>
<dt>customerUserId</dt><dd>${personal(v, 'customerUserId', s.customerUserId)}</dd>
<dt>Created</dt><dd>${iso(s.createdAt)}</dd><dt>Updated</dt><dd>${iso(s.updatedAt)}</dd><dt>Expires</dt><dd>${iso(s.expiresAt)}</dd>
${
  s.status === 'waiting'
    ? html`<dt>Waiting for</dt><dd>${(s.waitEvents ?? []).join(', ') || 'a retry'} · token ${s.waitToken ?? '—'} · referenceId ${s.waitReferenceId ?? '—'} · until ${iso(s.wakeAt)}</dd>`
    : ''
}
</dl>
${
  s.status !== 'completed'
    ? html`<form method="post" action="/console/sessions/${s.id}/cancel" class="actions">
<input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="danger">Cancel this session</button></form>`
    : ''
}
<h2>Timeline</h2>
<table class="list timeline">
<thead><tr><th>#</th><th>At</th><th>Since start</th><th>Step took</th><th>Event</th><th>Detail</th></tr></thead>
<tbody>${timelineRows(v.timeline)}</tbody></table>
<h2>Socure calls</h2>
${socureCalls(v.audit)}
<h2>Callbacks to the app</h2>
${callbackRows(v)}
<h2>Input</h2>
${
  inputs.length === 0
    ? html`<p>No input was given.</p>`
    : html`<table class="list"><tbody>${inputs.map(
        ([k, val]) => html`<tr><th>${k}</th><td>${personal(v, `input.${k}`, val)}</td></tr>`,
      )}</tbody></table>`
}
<h2>Audit</h2>
${
  others.length === 0
    ? html`<p>Nothing recorded.</p>`
    : html`<table class="list"><tbody>${others.map(
        (a) =>
          html`<tr><td>${iso(a.at)}</td><td>${a.type}</td><td>${a.actor}</td><td>${detailText(a.detail)}</td></tr>`,
      )}</tbody></table>`
}`;
  return consolePage({ title: `Session ${s.id.slice(0, 8)}`, section: 'sessions', csrf: v.csrf, body });
}
