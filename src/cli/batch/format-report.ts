import type { BatchReport } from './run-batch.js';

const counts = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The summary printed at the end of a batch. */
export function formatBatchReport(r: BatchReport): string {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const lines = [
    r.interrupted
      ? 'Interrupted: the rows in flight were finished and journaled; run the same command to go on.'
      : '',
    r.stoppedBy ? `Stopped: ${r.stoppedBy}` : '',
    `Rows:       ${r.scored} scored, ${errors} failed, ${r.unknown} unknown, ${r.rejected} rejected (sent this run: ${r.sent}, finished earlier: ${r.skipped})`,
    r.sent > 0 ? `Pace:       ${r.rowsPerSecond} rows/s (${r.scoringSeconds} s scoring)` : '',
    `Decisions:  ${counts(r.decisions)}`,
    `Errors:     ${counts(r.errors)}`,
  ];
  if (r.unknown > 0)
    lines.push(
      `Unknown:    ${r.unknown} row(s) were sent but no answer was recorded (a crash): not sent again; --rescore sends them`,
    );
  if (r.topReasonCodes.length > 0) {
    lines.push('Top reason codes:');
    for (const c of r.topReasonCodes)
      lines.push(
        `  ${c.code.padEnd(6)} ${String(c.count).padStart(6)}  ${c.description ?? '(not in the bundled table)'}`,
      );
  }
  if (r.ignoredColumns.length > 0)
    lines.push(`Not sent:   columns ${r.ignoredColumns.join(', ')} (use --map column=field)`);
  lines.push(`Results:    ${r.output}`, `Rejects:    ${r.rejects}`, `Journal:    ${r.journal}`);
  return `${lines.filter(Boolean).join('\n')}\n`;
}
