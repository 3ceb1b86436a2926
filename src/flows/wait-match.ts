import type { CorrelationKeys, SessionPatch, SessionRow } from '../store/types.js';
import type { NodeOf } from './definition.js';

// Which webhook events resolve a wait, and whether a delivery's keys are the waiting session's.

/** Events that resolve a wait, each with the branch it takes. */
export function resolvingEvents(node: NodeOf<'wait'>): Map<string, string> {
  const map = new Map<string, string>(node.events.map((e) => [e, node.branches.resolved]));
  if (node.branches.expired) map.set('SESSION_EXPIRED', node.branches.expired);
  if (node.branches.declined) map.set('CONSENT_DECLINED', node.branches.declined);
  if (node.branches.failed) map.set('DOCUMENTS_UPLOAD_FAILED', node.branches.failed);
  return map;
}

/** The most specific key decides: a token match wins over a reference id, which wins over a customer user id. */
export function keysMatch(session: SessionRow, keys: CorrelationKeys): boolean {
  if (session.waitToken && keys.docvTransactionToken) return session.waitToken === keys.docvTransactionToken;
  if (session.waitReferenceId && keys.referenceId) return session.waitReferenceId === keys.referenceId;
  if (session.waitCustomerUserId && keys.customerUserId)
    return session.waitCustomerUserId === keys.customerUserId;
  return false;
}

/** The patch that clears a session's wait (its keys, events and timeout). */
export const CLEAR_WAIT: SessionPatch = {
  wakeAt: null,
  waitToken: null,
  waitReferenceId: null,
  waitCustomerUserId: null,
  waitEvents: null,
};
