import { Command } from 'commander';
import { noIdPlusKeyError } from '../../socure/errors.js';
import { type ConnectorFlagValues, withConnectorFlags } from '../connector-flags.js';
import { UsageError } from '../errors.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function scoreBatchCommand(): Command {
  const cmd = new Command('score-batch')
    .description(
      'Score every person of a CSV or JSONL file with ID+: validated first, bounded concurrency and rate, resumable',
    )
    .argument('<input>', 'a .csv file (with a header row) or a .jsonl file (one JSON object a line)')
    .requiredOption(
      '--out <file>',
      'results, .csv or .jsonl; the journal and rejects files are written beside it',
    )
    .option('--modules <list>', 'comma-separated ID+ modules', 'kyc,fraud,decision')
    .option('--concurrency <n>', 'calls in flight at once', '4')
    .option('--rate <rate>', 'most calls per second or minute, e.g. 10/s or 600/min; 0 for no limit', '10/s')
    .option(
      '--map <column=field>',
      'feed a column to an ID+ input (repeatable); column=- ignores a column',
      collect,
      [],
    )
    .option('--rescore', 'send again the rows an earlier run sent without a recorded answer, or that failed')
    .option('--json', 'print the summary as JSON');
  withConnectorFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Columns named like an ID+ input are mapped by themselves (first_name, given_name → firstName; last_name → surName;
date_of_birth → dob; ssn → nationalId; phone → mobileNumber; address, street → physicalAddress; postal_code → zip…);
use --map for the others. Beside --out: <out>.journal (resume state, no personal data) and <out>.rejects.csv.

Examples:
  $ socure-connector sandbox &
  $ socure-connector score-batch people.csv --out results.csv --api-url http://127.0.0.1:4010 \\
      --id-plus-key a1b234cd-75e1-9e01-f234-56abcdef6789 --concurrency 4 --rate 10/s
  $ socure-connector score-batch people.jsonl --out results.jsonl --map "Birth Day=dob" --map notes=-

Run the same command again after a crash or Ctrl-C: finished rows are skipped and no row is sent twice.
Exit codes: 0 done (failed rows are counted in the summary), 1 stopped by a Socure error every row would hit
(e.g. a refused key), 2 bad input or flags, 130 interrupted (Ctrl-C; finished rows are journaled).`,
  );
  cmd.action(async (input: string, opts: Record<string, unknown>) => {
    const concurrency = Number(opts.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
      throw new UsageError('--concurrency: expected a whole number from 1 to 256');
    const modules = String(opts.modules)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    const { isIdPlusModule, ID_PLUS_MODULES } = await import('../../socure/idplus/modules.js');
    const unknown = modules.filter((m) => !isIdPlusModule(m.toLowerCase()));
    if (modules.length === 0 || unknown.length > 0)
      throw new UsageError(
        `--modules: unknown module(s) ${unknown.join(', ') || '(none given)'}; known: ${ID_PLUS_MODULES.join(', ')}`,
      );
    const [{ clientFromFlags }, { runBatch }, { parseRate }, { formatBatchReport }] = await Promise.all([
      import('../connector-client.js'),
      import('../batch/run-batch.js'),
      import('../batch/rate-limiter.js'),
      import('../batch/format-report.js'),
    ]);
    const rateIntervalMs = parseRate(String(opts.rate));
    const client = clientFromFlags(opts as ConnectorFlagValues);
    // A RiskOS-only configuration would refuse every row, one by one: stop before reading any.
    if (!client.hasIdPlus) {
      await client.close();
      throw new UsageError(`--id-plus-key: ${noIdPlusKeyError().message}`);
    }
    try {
      const report = await runBatch({
        input,
        out: String(opts.out),
        modules,
        concurrency,
        rateIntervalMs,
        map: opts.map as string[],
        rescore: opts.rescore === true,
        client,
      });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatBatchReport(report));
      if (report.interrupted) process.exitCode = 130;
      else if (report.stoppedBy !== undefined) process.exitCode = 1;
    } finally {
      await client.close();
    }
  });
  return cmd;
}
