/**
 * What the operator console asks of the store beyond the engine's needs: the webhook inbox as a log, one
 * session's audit entries, a failed callback sent again, and the aggregations behind the console's charts.
 * Nothing here returns a personal field except `getDelivery` (the payload, sealed at rest, for a replay).
 */
import type { AuditEntry, InboxDelivery } from './types.js';

/** Which deliveries of the inbox log: a state, an event type, a token; a time range; a page before `beforeSeq`. */
export interface DeliveryListQuery {
  eventType?: string;
  /** consumed: a session took it; unmatched: none did and none waits; pending: its correlation is still due. */
  state?: 'consumed' | 'unmatched' | 'pending';
  docvTransactionToken?: string;
  since?: number;
  until?: number;
  /** The seq of the last delivery of the previous page (newest first). */
  beforeSeq?: number;
  limit: number;
}

/** A delivery as the inbox log shows it: its keys and fate, never its payload. */
export interface DeliveryLogEntry {
  seq: number;
  deliveryId: string;
  eventType: string;
  docvTransactionToken: string | null;
  referenceId: string | null;
  authenticated: boolean;
  receivedAt: number;
  consumedBy: string | null;
  /** Correlation is still due (a session may yet take it). */
  pending: boolean;
}

/** One audit entry of a session (Socure calls, decision, cancel, reveals), chained or not yet. */
export interface SessionAuditEntry {
  at: number;
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}

/** A period of the charts, ms since epoch: [from, to). */
export interface StatsRange {
  from: number;
  to: number;
}

export interface OperatorStats {
  /** Sessions created in the period by UTC day (days since epoch) and outcome (null: not ended). */
  outcomesByDay: Array<{ day: number; outcome: string | null; count: number }>;
  /** Per flow: sessions started, sessions a webhook resumed (a document submitted), sessions decided. */
  funnel: Array<{ flowId: string; started: number; resumed: number; decided: number }>;
  /** Decisions recorded when sessions ended (the audit's session.decided entries), with counts. */
  decisions: Array<{ decision: string; count: number }>;
  /** Reason codes of those decisions, most frequent first (at most `reasonCodeLimit`). */
  reasonCodes: Array<{ code: string; count: number }>;
  /** Socure calls recorded in the audit trail: their durations (ms, ascending) and how many failed. */
  socureCalls: { count: number; errors: number; durationsMs: number[] };
}

export interface OperatorStore {
  listDeliveries(query: DeliveryListQuery): Promise<DeliveryLogEntry[]>;
  /** One delivery with its payload (to replay it). */
  getDelivery(deliveryId: string): Promise<InboxDelivery | undefined>;
  /**
   * Puts a failed callback back in the queue, due now, with `audit` (its detail gains the callback's sessionId).
   * Returns the callback's session; undefined when it is not a failed callback (or not found).
   */
  retryOutbound(id: string, now: number, audit: AuditEntry): Promise<string | undefined>;
  /** A session's audit entries in the order they were appended. */
  listSessionAudit(sessionId: string, limit: number): Promise<SessionAuditEntry[]>;
  operatorStats(range: StatsRange, reasonCodeLimit: number): Promise<OperatorStats>;
}
