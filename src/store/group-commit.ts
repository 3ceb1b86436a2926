/**
 * Group commit for SQLite: the write transactions that queue up while one commits are run together in the next
 * transaction, each inside its own savepoint, and share one commit. With `synchronous=FULL` a commit is an
 * fsync, so ten concurrent webhook deliveries cost one fsync instead of ten. Each caller still gets its own
 * result only once the shared commit is durable, and its own error (its savepoint rolled back) without
 * disturbing the others.
 */
import { type Kysely, sql, type Transaction } from 'kysely';

/** At most this many writes share a commit: bounds how long the write lock is held in one go. */
const MAX_BATCH = 64;

interface Pending<DB, T> {
  fn: (trx: Transaction<DB>) => Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit<DB> {
  #pending: Pending<DB, unknown>[] = [];
  #scheduled = false;

  /**
   * @param db the store's kysely instance (one connection).
   * @param schedule runs a batch when this process's other writers on the file are done (the file's write queue).
   * @param inTransaction whether the connection is still inside the batch's transaction: some SQLite errors
   *   (SQLITE_FULL, IOERR, BUSY) roll the whole transaction back, and what follows must not run in autocommit.
   */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly schedule: (batch: () => Promise<void>) => Promise<void>,
    private readonly inTransaction: () => boolean,
  ) {}

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn, resolve, reject } as Pending<DB, unknown>);
      this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Errors are delivered to each caller by #flush; the queue itself never sees one.
    void this.schedule(() => this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (this.#pending.length > 0) this.#scheduleFlush();
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [only] = batch as [Pending<DB, unknown>];
      await this.db
        .transaction()
        .execute((trx) => only.fn(trx))
        .then(only.resolve, only.reject);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const results: Outcome[] = [];
        for (const item of batch) {
          await sql`savepoint group_item`.execute(trx);
          try {
            results.push({ ok: true, value: await item.fn(trx) });
            await sql`release group_item`.execute(trx);
          } catch (error) {
            if (!this.inTransaction()) throw error; // SQLite ended the transaction: every write in it is gone
            await sql`rollback to group_item`.execute(trx);
            await sql`release group_item`.execute(trx);
            results.push({ ok: false, error });
          }
        }
        return results;
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
