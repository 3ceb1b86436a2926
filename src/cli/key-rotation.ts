/** `keys rotate`: re-seals, batch by batch, every record not under the ring's current key. */
import { chainPendingAudit, withAdminStore } from './admin-store.js';
import type { DatabaseFlagValues } from './database-flags.js';
import { UsageError } from './errors.js';

/** Batches in a row that re-seal nothing while records remain: something keeps writing under an old key. */
const STALLED_BATCHES = 5;

export function parseBatch(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) {
    throw new UsageError(`--batch must be a whole number from 1 to 100000 (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** A progress line: one updating line on a terminal, a line per batch otherwise (logs). */
function progressWriter(out: NodeJS.WriteStream) {
  const tty = out.isTTY === true;
  let open = false;
  return {
    update(text: string) {
      out.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
      open = tty;
    },
    end() {
      if (open) out.write('\n');
      open = false;
    },
  };
}

export async function rotateKeys(flags: DatabaseFlagValues & { batch: string }): Promise<void> {
  const batch = parseBatch(flags.batch);
  await withAdminStore(flags, async ({ store, keys, database }) => {
    const keyId = keys.ring.current.id;
    const others = keys.ring.ids.filter((id) => id !== keyId);
    // Ctrl-C: finish the batch in flight (one transaction), record what was done, close. A second one quits.
    let stopping = false;
    const onSignal = () => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit now)\n');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = progressWriter(process.stderr);
    let resealed = 0;
    let remaining = 0;
    let failure: unknown;
    try {
      remaining = await store.countRecordsToRotate();
      process.stderr.write(
        `${database}: ${remaining} record(s) to re-seal under key "${keyId}", ${batch} per batch\n`,
      );
      let stalled = 0;
      while (remaining > 0 && !stopping) {
        const step = await store.rotateKeys(batch);
        // SQLite works synchronously under its promises: let the event loop run, so Ctrl-C is heard.
        await new Promise((resolve) => setImmediate(resolve));
        resealed += step.resealed;
        remaining = step.remaining;
        progress.update(`re-sealed ${resealed}/${resealed + remaining}`);
        stalled = step.resealed === 0 ? stalled + 1 : 0;
        if (stalled >= STALLED_BATCHES && remaining > 0) {
          throw new Error(
            `${remaining} record(s) were not re-sealed in ${STALLED_BATCHES} batches in a row: are they being ` +
              `rewritten under an older key? Every instance must run with "${keyId}" first in DATA_ENCRYPTION_KEYS`,
          );
        }
      }
    } catch (err) {
      failure = err;
    } finally {
      progress.end();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    // A failed or interrupted run records what it did re-seal too.
    if (failure === undefined || resealed > 0) {
      const detail: Record<string, unknown> = { key: keyId, resealed };
      if (remaining > 0) detail.remaining = remaining;
      try {
        await store.appendAudit([{ type: 'keys.rotated', actor: 'cli', detail }], Date.now());
        await chainPendingAudit(store);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
    if (remaining > 0) {
      process.stdout.write(
        `stopped: re-sealed ${resealed} record(s) under key "${keyId}"; ${remaining} left. ` +
          'Run `socure-connector keys rotate` again to continue.\n',
      );
      process.exitCode = 130;
      return;
    }
    process.stdout.write(
      `re-sealed ${resealed} record(s) under key "${keyId}"; 0 left.\n` +
        (others.length > 0
          ? `Once every instance runs with "${keyId}" first, ${others.map((id) => `"${id}"`).join(', ')} ` +
            'can leave DATA_ENCRYPTION_KEYS (if an instance wrote under an old key meanwhile, run this again first).\n'
          : ''),
    );
  });
}
