import { Command } from 'commander';
import { type DatabaseFlagValues, withDatabaseFlags } from '../database-flags.js';

interface RotateFlags extends DatabaseFlagValues {
  batch: string;
}

export function keysCommand(): Command {
  const cmd = new Command('keys').description(
    'Manage the keys that encrypt personal data at rest (DATA_ENCRYPTION_KEYS)',
  );
  cmd.addHelpText(
    'after',
    `
Examples:
  $ export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate)
  $ DATA_ENCRYPTION_KEYS=<new>,<old> socure-connector keys rotate`,
  );
  cmd.addCommand(keysGenerateCommand().exitOverride());
  cmd.addCommand(keysRotateCommand().exitOverride());
  return cmd;
}

function keysGenerateCommand(): Command {
  return new Command('generate')
    .description('Print a new key ring entry (id:base64-32-bytes) on stdout; how to use it on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate)          # a first key
  $ export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate),$DATA_ENCRYPTION_KEYS   # rotate: new key first
  $ socure-connector keys rotate`,
    )
    .action(async () => {
      const { generateKeyEntry, KEY_RING_SETTING } = await import('../../crypto/key-ring.js');
      const entry = generateKeyEntry();
      const id = entry.slice(0, entry.indexOf(':'));
      process.stdout.write(`${entry}\n`);
      process.stderr.write(
        [
          `New data encryption key "${id}" (printed on stdout). Keep it secret and back it up: without it the`,
          'personal data it encrypts cannot be read.',
          `  First key:  export ${KEY_RING_SETTING}=$(socure-connector keys generate)`,
          `  Rotation:   put it FIRST and keep the old keys after it (the first encrypts, every one decrypts):`,
          `                ${KEY_RING_SETTING}=${id}:…,<old keys>`,
          '              restart every instance with that ring, run `socure-connector keys rotate`, and once it',
          '              reports 0 left remove the old keys from the ring.',
          '  SQLite without the variable: add it as the first line of the key file beside the database',
          '              (<database>.keys).',
          '',
        ].join('\n'),
      );
    });
}

function keysRotateCommand(): Command {
  const cmd = new Command('rotate')
    .description(
      'Re-seal every record under the first key of the ring: resumable, with progress, safe while the service runs',
    )
    .option('--batch <n>', 'records re-sealed per transaction (per kind of record)', '500');
  withDatabaseFlags(cmd).addHelpText(
    'after',
    `
Put the new key first in DATA_ENCRYPTION_KEYS (keep the old ones after it) and restart every instance, then run
it (safe while the service runs). Ctrl-C stops after the current batch; run it again to continue. When it
reports 0 left, the old keys can leave the ring.

Example:
  $ export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate),$DATA_ENCRYPTION_KEYS
  $ socure-connector keys rotate
  re-sealed 5210 record(s) under key "k20250131a1b2c3"; 0 left.`,
  );
  return cmd.action(async (flags: RotateFlags) => {
    const { rotateKeys } = await import('../key-rotation.js');
    await rotateKeys(flags);
  });
}
