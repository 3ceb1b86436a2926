import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { callCommand } from './commands/call.js';
import { docvResultCommand, docvUrlCommand } from './commands/docv.js';
import { evaluateCommand } from './commands/evaluate.js';
import { forgetCommand } from './commands/forget.js';
import { keysCommand } from './commands/keys.js';
import { manifestCommand } from './commands/manifest.js';
import { sandboxCommand } from './commands/sandbox.js';
import { scoreCommand } from './commands/score.js';
import { scoreBatchCommand } from './commands/score-batch.js';
import { startCommand } from './commands/start.js';
import { packageVersion } from './package-version.js';

/**
 * Every command is built on every run (help lists them all), so a command's module imports only what defines its
 * flags; what its action needs (the service, the sandbox, the Socure client) is imported when the action runs.
 */
export function buildProgram(): Command {
  const program = new Command('socure-connector')
    .description(
      'Verify identities with Socure: ID+ scores, document verification, and an offline Socure sandbox',
    )
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  $ socure-connector start                      # the service + embedded sandbox + SQLite
  $ socure-connector sandbox                    # only the offline Socure sandbox
  $ socure-connector score --api-url http://127.0.0.1:4010 --id-plus-key a1b234cd-75e1-9e01-f234-56abcdef6789 --stock-persona
  $ socure-connector score-batch people.csv --out results.csv --concurrency 4 --rate 10/s
  $ export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate)   # a key for personal data at rest
  $ socure-connector keys rotate                # re-seal every record under the first key of the ring
  $ socure-connector forget --customer-user-id user-42 --yes        # erase one person's data
  $ socure-connector audit verify               # check the audit trail's hash chain
  $ socure-connector audit export --format csv --out audit.csv
  $ socure-connector <command> --help`,
    );
  for (const cmd of [
    startCommand(),
    sandboxCommand(),
    scoreCommand(),
    scoreBatchCommand(),
    evaluateCommand(),
    docvUrlCommand(),
    docvResultCommand(),
    callCommand(),
    manifestCommand(),
    keysCommand(),
    forgetCommand(),
    auditCommand(),
  ]) {
    program.addCommand(cmd.exitOverride());
  }
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed the usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    // Loaded on failure only: it knows every error class, the connector settings' included.
    const { describeFailure } = await import('./describe-failure.js');
    const { code, message } = describeFailure(err);
    process.stderr.write(`error: ${message}\n`);
    return code;
  }
}
