import { Command } from 'commander';
import { type DatabaseFlagValues, withDatabaseFlags } from '../database-flags.js';

interface ForgetFlags extends DatabaseFlagValues {
  customerUserId: string;
  yes?: boolean;
}

export function forgetCommand(): Command {
  const cmd = new Command('forget')
    .description(
      'Erase every personal field held for one person (sessions, inbox deliveries, callbacks): a GDPR/CCPA request',
    )
    .requiredOption('--customer-user-id <id>', 'the customerUserId the person’s sessions were started with')
    .option('--yes', 'do not ask for confirmation (needed when not run from a terminal)');
  withDatabaseFlags(cmd).addHelpText(
    'after',
    `
Prints what was removed as JSON; the audit trail records the erasure under a keyed hash of the id, not the id.

Example:
  $ socure-connector forget --customer-user-id user-42 --yes
  {"sessions":2,"deliveries":1,"callbacks":2}`,
  );
  return cmd.action(async (flags: ForgetFlags) => {
    const { forgetCustomer } = await import('../forget-customer.js');
    await forgetCustomer(flags.customerUserId, flags.yes === true, flags);
  });
}
