import type { DocumentVerificationBlock, PendingDocumentVerification } from '../idplus/types.js';
import type { SandboxEnvironment } from '../keys.js';
import type { TransactionStore } from './transactions.js';

/** A DocV reference resolved for ID+: the finished block, an empty one while pending, undefined when unknown. */
export type DocvLookup = (
  reference: string,
  environment: SandboxEnvironment,
) => DocumentVerificationBlock | PendingDocumentVerification | undefined;

/**
 * ID+ `documentverification` backed by the sandbox's transactions: a v5 token or the legacy document
 * uuid, looked up only in the environment of the key (each environment has its own transactions).
 */
export function docvLookup(store: TransactionStore): DocvLookup {
  return (reference, environment) => {
    const tx = store.get(reference) ?? store.byDocumentUuid(reference);
    if (!tx || tx.environment !== environment) return undefined;
    return tx.result ?? { reasonCodes: [] };
  };
}
