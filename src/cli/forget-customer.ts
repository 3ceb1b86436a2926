/** `forget`: erasure on request, in one transaction, recorded in the audit trail. */
import { createInterface } from 'node:readline/promises';
import { chainPendingAudit, withAdminStore } from './admin-store.js';
import type { DatabaseFlagValues } from './database-flags.js';
import { UsageError } from './errors.js';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function forgetCustomer(
  customerUserId: string,
  yes: boolean,
  flags: DatabaseFlagValues,
): Promise<void> {
  const id = customerUserId.trim();
  if (id === '') throw new UsageError('--customer-user-id must not be empty');
  if (!yes) {
    if (!process.stdin.isTTY) {
      throw new UsageError('forget erases personal data for good: add --yes to confirm (no terminal to ask)');
    }
  }
  await withAdminStore(flags, async ({ store, database }) => {
    if (
      !yes &&
      !(await confirm(`Erase every personal field held for this customer in ${database}? [y/N] `))
    ) {
      process.stderr.write('nothing erased\n');
      process.exitCode = 1;
      return;
    }
    const counts = await store.eraseCustomer(id, Date.now(), {
      type: 'customer.erased',
      actor: 'cli',
      detail: { customer: store.lookupHash(id) },
    });
    await chainPendingAudit(store);
    process.stdout.write(
      `${JSON.stringify({ sessions: counts.sessions, deliveries: counts.deliveries, callbacks: counts.callbacks })}\n`,
    );
  });
}
