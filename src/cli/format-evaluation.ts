import { qrCodeForTerminal } from '../socure/docv/qr.js';
import { describeReasonCode } from '../socure/reason-codes-table.js';
import type { RiskOsEvaluationResult } from '../socure/riskos/response.js';

/** A readable summary of a RiskOS evaluation: decision, status, step-up (link and QR), failures, reason codes. */
export async function formatEvaluation(r: RiskOsEvaluationResult): Promise<string> {
  const e = r.evaluation;
  const lines: string[] = [];
  lines.push(
    `Decision:     ${r.decision ?? '(none)'}${r.paused ? ' (not final: the evaluation is paused)' : ''}`,
  );
  lines.push(`Evaluation:   ${r.evalStatus ?? '(no eval_status)'}${e.status ? `, status ${e.status}` : ''}`);
  lines.push(`eval_id:      ${r.evalId}`);
  if (e.id) lines.push(`id:           ${e.id}`);
  if (e.tags?.length) lines.push(`Tags:         ${e.tags.join(', ')}`);
  if (e.review_queues?.length) lines.push(`Review queues: ${e.review_queues.map(String).join(', ')}`);
  if (r.stepUp) {
    lines.push('', 'DocV step-up: open this link on a phone, or scan the QR code', `  ${r.stepUp.url}`);
    lines.push(`  token ${r.stepUp.docvTransactionToken}`, await qrCodeForTerminal(r.stepUp.url));
  }
  for (const f of r.failedEnrichments) {
    lines.push(
      '',
      `Enrichment failed: ${f.name}${f.provider ? ` (${f.provider})` : ''}${f.statusCode ? ` answered ${f.statusCode}` : ''}`,
    );
    if (f.message) lines.push(`  ${f.message}`);
  }
  if (r.reasonCodes.length > 0) {
    lines.push('', 'Reason codes');
    for (const code of r.reasonCodes) {
      lines.push(`  ${code}  ${describeReasonCode(code) ?? '(not in the bundled table)'}`);
    }
  }
  return lines.join('\n');
}
