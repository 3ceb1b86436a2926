import { describeReasonCode } from '../../socure/reason-codes-table.js';
import type { Translate } from '../i18n/translate.js';
import { html, type Raw } from './html.js';

const asRecord = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function scoreOf(block: Record<string, unknown>): string {
  if (typeof block.score === 'number') return block.score.toFixed(3);
  const scores = Array.isArray(block.scores) ? (block.scores as Array<Record<string, unknown>>) : [];
  return scores
    .filter((s) => typeof s.score === 'number')
    .map((s) => `${s.name ?? 'score'} ${(s.score as number).toFixed(3)}`)
    .join(', ');
}

/**
 * An ID+ answer in full: the decision, each module's score and every reason code explained (Socure's explanations,
 * in English; the headings in the page's language).
 */
export function renderScoreDetails(t: Translate, response: unknown): Raw {
  const res = asRecord(response);
  const decision = asRecord(res.decision).value;
  const modules = Object.entries(res).filter(
    ([k, v]) => !['referenceId', 'customerProfile', 'decision'].includes(k) && v && typeof v === 'object',
  );
  return html`
<h2>${t('score.heading')}</h2>
<p>${t('score.decision')} ${decision ? html`<span class="badge ${String(decision)}">${decision}</span>` : t('score.notRequested')}</p>
<table>
<thead><tr><th scope="col">${t('score.module')}</th><th scope="col">${t('score.score')}</th><th scope="col">${t('score.reasonCodes')}</th></tr></thead>
<tbody>
${modules.map(([name, value]) => {
  const block = asRecord(value);
  const codes = Array.isArray(block.reasonCodes) ? (block.reasonCodes as string[]) : [];
  return html`<tr><th scope="row">${name}</th><td>${scoreOf(block) || '—'}</td><td>${codes.map(
    (c) => html`<div><code>${c}</code> ${describeReasonCode(c) ?? ''}</div>`,
  )}</td></tr>`;
})}
</tbody>
</table>
<p class="muted">${t('score.referenceId')} <code>${res.referenceId}</code></p>`;
}
