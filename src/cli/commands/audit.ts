import { Command } from 'commander';
import { type DatabaseFlagValues, withDatabaseFlags } from '../database-flags.js';

interface ExportFlags extends DatabaseFlagValues {
  format: string;
  since?: string;
  out?: string;
}

export function auditCommand(): Command {
  const cmd = new Command('audit').description(
    'The audit trail (a hash chain of every decision and administrative act): verify it, export it',
  );
  cmd.addHelpText(
    'after',
    `
Examples:
  $ socure-connector audit verify
  $ socure-connector audit export --format jsonl --since 2025-01-01 > audit.jsonl`,
  );
  cmd.addCommand(auditVerifyCommand().exitOverride());
  cmd.addCommand(auditExportCommand().exitOverride());
  return cmd;
}

function auditVerifyCommand(): Command {
  const cmd = new Command('verify').description(
    'Check the whole hash chain: exit 0 when intact, 1 naming the entry where it breaks (edited or deleted)',
  );
  withDatabaseFlags(cmd).addHelpText(
    'after',
    `
Example:
  $ socure-connector audit verify
  audit trail intact: 1204 entries, last hash 9f2c…`,
  );
  return cmd.action(async (flags: DatabaseFlagValues) => {
    const { verifyAudit } = await import('../audit-trail.js');
    await verifyAudit(flags);
  });
}

function auditExportCommand(): Command {
  const cmd = new Command('export')
    .description('Write every chained audit entry as JSON Lines or CSV, for a SIEM')
    .option('--format <jsonl|csv>', 'jsonl (one JSON object a line) or csv (with a header)', 'jsonl')
    .option(
      '--since <iso-time|seq>',
      'entries at or after a time (2025-01-31T00:00:00Z), or after a seq (the last one you already have)',
    )
    .option('--out <file>', 'write to a file instead of stdout');
  withDatabaseFlags(cmd).addHelpText(
    'after',
    `
Fields: seq, at (ISO 8601), type, actor, detail (JSON; in CSV as stored, which the hash covers), prevHash, hash.

Examples:
  $ socure-connector audit export --format jsonl > audit.jsonl
  $ socure-connector audit export --format csv --since 2025-01-01 --out audit.csv
  $ socure-connector audit export --since 1204            # entries after seq 1204`,
  );
  return cmd.action(async (flags: ExportFlags) => {
    const { exportAudit } = await import('../audit-trail.js');
    await exportAudit(flags);
  });
}
