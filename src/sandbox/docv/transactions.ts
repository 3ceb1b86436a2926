import type { DocvTransaction } from './types.js';

export const DEFAULT_MAX_TRANSACTIONS = 10_000;

/**
 * DocV transactions in memory, by token, referenceId and document uuid. Bounded: past `max` the oldest
 * is forgotten, so a long load test cannot grow the sandbox without limit.
 */
export class TransactionStore {
  readonly #byToken = new Map<string, DocvTransaction>();
  readonly #byReference = new Map<string, string>();
  readonly #byDocumentUuid = new Map<string, string>();

  constructor(readonly max = DEFAULT_MAX_TRANSACTIONS) {}

  add(tx: DocvTransaction): void {
    this.#byToken.set(tx.token, tx);
    this.#byReference.set(tx.referenceId, tx.token);
    while (this.#byToken.size > this.max) {
      const oldest = this.#byToken.values().next().value;
      if (!oldest) break;
      this.#forget(oldest);
    }
  }

  get(token: string): DocvTransaction | undefined {
    return this.#byToken.get(token);
  }

  byReferenceId(referenceId: string): DocvTransaction | undefined {
    const token = this.#byReference.get(referenceId);
    return token === undefined ? undefined : this.#byToken.get(token);
  }

  byDocumentUuid(uuid: string): DocvTransaction | undefined {
    const token = this.#byDocumentUuid.get(uuid);
    return token === undefined ? undefined : this.#byToken.get(token);
  }

  /** Called once the DOCUMENTS_UPLOADED uuid exists, for legacy ID+ `documentUuid` look-ups. */
  indexDocumentUuid(tx: DocvTransaction): void {
    if (tx.documentUuid && this.#byToken.get(tx.token) === tx)
      this.#byDocumentUuid.set(tx.documentUuid, tx.token);
  }

  /** Transactions that can still expire. */
  *pending(): IterableIterator<DocvTransaction> {
    for (const tx of this.#byToken.values()) if (tx.status === 'pending') yield tx;
  }

  get size(): number {
    return this.#byToken.size;
  }

  #forget(tx: DocvTransaction): void {
    this.#byToken.delete(tx.token);
    this.#byReference.delete(tx.referenceId);
    if (tx.documentUuid) this.#byDocumentUuid.delete(tx.documentUuid);
  }
}
