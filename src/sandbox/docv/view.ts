import type { SandboxState } from '../state.js';
import type { DocvTransaction } from './types.js';

/** A transaction as `GET /sandbox/transactions/:token` shows it: state and digests, never images. */
export function transactionView(state: SandboxState, tx: DocvTransaction) {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    docvTransactionToken: tx.token,
    referenceId: tx.referenceId,
    eventId: tx.eventId,
    environment: tx.environment,
    apiVersion: tx.apiVersion,
    verificationLevel: tx.verificationLevel,
    customerUserId: tx.customerUserId,
    status: tx.status,
    position: state.lifecycle.position(tx),
    url: tx.url,
    documentType: tx.documentType,
    documentTypeFixed: tx.documentTypeFixed,
    redirect: tx.redirect,
    sendMessage: tx.sendMessage,
    createdAt: iso(tx.createdAt),
    expiresAt: iso(tx.expiresAt),
    openedAt: iso(tx.openedAt),
    finishedAt: iso(tx.finishedAt),
    uploads: Object.fromEntries(
      Object.entries(tx.uploads).map(([side, u]) => [
        side,
        { bytes: u.bytes, sha256: u.sha256, at: iso(u.at) },
      ]),
    ),
    documentUuid: tx.documentUuid,
    outcome: tx.outcome,
    documentVerification: tx.result,
    knobs: tx.knobs,
    events: tx.events,
  };
}
