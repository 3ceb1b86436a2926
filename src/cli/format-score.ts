import { type IdPlusResponse, reasonCodesByModule } from '../socure/idplus/response.js';
import { describeReasonCode } from '../socure/reason-codes-table.js';

const fmt = (n: number) => n.toFixed(3);

/** The headline score of a module block: `score`, or the first of `scores[]`. */
function moduleScore(block: unknown): string | undefined {
  if (!block || typeof block !== 'object') return undefined;
  const b = block as { score?: number; scores?: Array<{ name?: string; score: number }> };
  if (typeof b.score === 'number') return fmt(b.score);
  if (b.scores?.length) return b.scores.map((s) => `${s.name ?? 'score'} ${fmt(s.score)}`).join(', ');
  return undefined;
}

/** A readable summary of an ID+ answer: decision, each module's score, reason codes explained. */
export function formatScoreSummary(res: IdPlusResponse): string {
  const lines: string[] = [];
  lines.push(`Decision:     ${res.decision?.value ?? '(decision module not requested)'}`);
  lines.push(`Reference ID: ${res.referenceId}`);
  const codes = reasonCodesByModule(res);
  for (const [module, block] of Object.entries(res)) {
    if (module === 'referenceId' || module === 'customerProfile' || module === 'decision') continue;
    if (!block || typeof block !== 'object') continue;
    const score = moduleScore(block);
    lines.push('', `${module}${score ? `  score ${score}` : ''}`);
    for (const code of codes[module] ?? []) {
      lines.push(
        `  ${code}  ${describeReasonCode(code) ?? '(not in the bundled table; see client.reasonCodes.list())'}`,
      );
    }
  }
  return lines.join('\n');
}
