import { once } from 'node:events';
import { createWriteStream, renameSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { describeReasonCode } from '../../socure/reason-codes-table.js';
import type { InputFormat } from './input-rows.js';
import { type JournalRecord, type JournalState, journalRecords } from './journal.js';

export interface BatchSummary {
  scored: number;
  decisions: Record<string, number>;
  errors: Record<string, number>;
  /** Sent, but no answer was recorded (a crash between the call and the journal): not sent again. */
  unknown: number;
  topReasonCodes: Array<{ code: string; count: number; description: string | undefined }>;
}

const explain = (code: string) => describeReasonCode(code) ?? '(not in the bundled table)';

/** One output row, as CSV cells or a JSONL object. */
function rowFor(
  rec: JournalRecord | { l: number; s: 'unknown' },
  modules: readonly string[],
  format: InputFormat,
) {
  const done = rec.s === 'done' ? rec : undefined;
  const failed = rec.s === 'error' ? rec : undefined;
  const status = done ? 'scored' : failed ? 'error' : 'unknown';
  const referenceId = done?.ref ?? failed?.ref ?? '';
  const decision = done ? (done.decision ?? '') : status === 'unknown' ? 'unknown' : '';
  if (format === 'jsonl') {
    const out: Record<string, unknown> = { line: rec.l, status, referenceId: referenceId || undefined };
    if (decision) out.decision = decision;
    if (failed) out.error = { kind: failed.kind, status: failed.status };
    if (done) {
      out.modules = Object.fromEntries(
        Object.entries(done.m).map(([name, m]) => [
          name,
          {
            score: m.score,
            reasonCodes: m.codes,
            explanations: Object.fromEntries(m.codes.map((c) => [c, explain(c)])),
          },
        ]),
      );
    }
    return `${JSON.stringify(out)}\n`;
  }
  const cells: unknown[] = [rec.l, status, referenceId, decision, failed?.kind ?? '', failed?.status ?? ''];
  for (const m of modules) cells.push(done?.m[m]?.score ?? '', done?.m[m]?.codes.join(' ') ?? '');
  for (const m of modules) cells.push(done?.m[m]?.codes.map((c) => `${c}: ${explain(c)}`).join(' | ') ?? '');
  return stringify([cells]);
}

/**
 * Writes the output from the journal alone (streamed twice: module names, then rows), atomically through a
 * temporary file, and counts the summary on the way. Rows come in the order they finished; `line` joins them to
 * the input. Output holds no input value: only line numbers and Socure's answers.
 */
export async function writeResults(
  journalPath: string,
  state: JournalState,
  outPath: string,
  format: InputFormat,
): Promise<BatchSummary> {
  const modules: string[] = [];
  for await (const rec of journalRecords(journalPath)) {
    if ('v' in rec || rec.s !== 'done') continue;
    for (const m of Object.keys(rec.m)) if (!modules.includes(m)) modules.push(m);
  }
  const summary: BatchSummary = { scored: 0, decisions: {}, errors: {}, unknown: 0, topReasonCodes: [] };
  const codeCounts = new Map<string, number>();
  const tmp = `${outPath}.tmp`;
  const out = createWriteStream(tmp, { mode: 0o600 });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') {
    await write(
      stringify([
        [
          'line',
          'status',
          'referenceId',
          'decision',
          'errorKind',
          'httpStatus',
          ...modules.flatMap((m) => [`${m}.score`, `${m}.reasonCodes`]),
          ...modules.map((m) => `${m}.reasonCodeExplanations`),
        ],
      ]),
    );
  }
  for await (const rec of journalRecords(journalPath)) {
    if ('v' in rec || rec.s === 'sent') continue;
    if (rec.s === 'done') {
      summary.scored++;
      const d = rec.decision ?? '(no decision module)';
      summary.decisions[d] = (summary.decisions[d] ?? 0) + 1;
      for (const m of Object.values(rec.m))
        for (const c of m.codes) codeCounts.set(c, (codeCounts.get(c) ?? 0) + 1);
    } else summary.errors[rec.kind] = (summary.errors[rec.kind] ?? 0) + 1;
    await write(rowFor(rec, modules, format));
  }
  for (const line of state.sent.values()) {
    if (state.done.has(line) || state.failed.has(line)) continue;
    summary.unknown++;
    await write(rowFor({ l: line, s: 'unknown' }, modules, format));
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, outPath);
  summary.topReasonCodes = [...codeCounts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 10)
    .map(([code, count]) => ({ code, count, description: describeReasonCode(code) }));
  return summary;
}
