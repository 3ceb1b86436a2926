/** The webhook inbox as a log: what Socure sent, whether it was authenticated, which session took it. */
import type { DeliveryLogEntry } from '../../store/operator-types.js';
import { consolePage, html, iso, raw } from './layout.js';

export interface InboxView {
  csrf: string;
  form: Record<string, string>;
  deliveries: DeliveryLogEntry[];
  nextPage?: string;
  problem?: string;
  notice?: string;
}

function fate(d: DeliveryLogEntry) {
  if (d.consumedBy)
    return html`consumed by <a href="/console/sessions/${d.consumedBy}">${d.consumedBy.slice(0, 8)}</a>`;
  if (d.pending) return html`correlation pending`;
  return html`<span class="warn">unmatched</span>`;
}

export function inboxPage(v: InboxView): string {
  const state = v.form.state;
  const opt = (value: string, label: string) =>
    html`<option value="${value}"${raw(state === value ? ' selected' : '')}>${label}</option>`;
  const body = html`
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<form method="get" action="/console/inbox" class="search" role="search">
<label for="f-event">Event type</label><input id="f-event" name="event" value="${v.form.event ?? ''}">
<label for="f-state">State</label><select id="f-state" name="state">${opt('', 'any')}${opt('consumed', 'consumed')}${opt('unmatched', 'unmatched')}${opt('pending', 'pending')}</select>
<label for="f-token">DocV token</label><input id="f-token" name="token" value="${v.form.token ?? ''}">
<button type="submit">Search</button>
</form>
${v.problem ? html`<p class="problem" role="alert">${v.problem}</p>` : ''}
<table class="list inbox">
<thead><tr><th>Received</th><th>Delivery</th><th>Event type</th><th>DocV token</th><th>referenceId</th><th>Authenticated</th><th>Fate</th><th></th></tr></thead>
<tbody>
${v.deliveries.map(
  (d) => html`<tr data-delivery="${d.deliveryId}">
<td>${iso(d.receivedAt)}</td><td>${d.deliveryId}</td><td>${d.eventType}</td><td class="ref">${d.docvTransactionToken ?? '—'}</td>
<td class="ref">${d.referenceId ?? '—'}</td><td>${d.authenticated ? 'yes' : html`<span class="warn">no</span>`}</td><td>${fate(d)}</td>
<td>${
    d.consumedBy
      ? ''
      : html`<form method="post" action="/console/inbox/${encodeURIComponent(d.deliveryId)}/replay" class="inline">
<input type="hidden" name="csrf" value="${v.csrf}"><button type="submit">Replay</button></form>`
  }</td></tr>`,
)}
</tbody></table>
${v.deliveries.length === 0 ? html`<p>No delivery matches.</p>` : ''}
${v.nextPage ? html`<p><a href="${v.nextPage}" rel="next">Older deliveries →</a></p>` : ''}`;
  return consolePage({ title: 'Webhook inbox', section: 'inbox', csrf: v.csrf, body });
}
