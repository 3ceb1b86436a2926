/**
 * The storage interface of the service. Everything is async so a networked database (PostgreSQL) fits
 * behind the same interface; no method leaks a SQL dialect. Personal data (inputs, Socure results,
 * webhook bodies) lives apart from engine state, so encryption at rest, retention and delete-by-user can
 * be added in one module.
 */

export type SessionStatus = 'running' | 'input' | 'waiting' | 'completed';
export const OUTCOMES = ['verified', 'rejected', 'review', 'failed', 'expired'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The engine's state of one session: no personal data here. */
export interface SessionRow {
  id: string;
  flowId: string;
  status: SessionStatus;
  /** The node the session is at (being run, waiting for input, or waiting for a challenge). */
  nodeId: string;
  /** Incremented by every update; updates are conditional on it (optimistic concurrency). */
  version: number;
  customerUserId: string | null;
  returnUrl: string | null;
  /** When a waiting session's timeout fires (ms since epoch), else null. */
  wakeAt: number | null;
  /** Correlation keys of the open challenge, when status is 'waiting'. */
  waitToken: string | null;
  waitReferenceId: string | null;
  waitCustomerUserId: string | null;
  /** Event types that resolve the open challenge. */
  waitEvents: string[] | null;
  /** Random id of the open challenge (the seed's `challenge`). */
  challengeId: string | null;
  outcome: Outcome | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/** A session's personal data: its input, every node's output, and the end result. */
export interface SessionData {
  input: Record<string, unknown>;
  /** Output of each node that ran, by node id. */
  outputs: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

export type SessionPatch = Partial<
  Pick<
    SessionRow,
    | 'status'
    | 'nodeId'
    | 'wakeAt'
    | 'waitToken'
    | 'waitReferenceId'
    | 'waitCustomerUserId'
    | 'waitEvents'
    | 'challengeId'
    | 'outcome'
  >
>;

export interface NewSession {
  id: string;
  flowId: string;
  nodeId: string;
  customerUserId: string | null;
  returnUrl: string | null;
  expiresAt: number;
  input: Record<string, unknown>;
}

/** A Socure webhook delivery, committed before it is acknowledged. */
export interface InboxDelivery {
  deliveryId: string;
  eventType: string;
  docvTransactionToken: string | null;
  referenceId: string | null;
  customerUserId: string | null;
  /** The raw body as received (personal data). */
  payload: string;
  authenticated: boolean;
  receivedAt: number;
  /** The session that consumed it, once one did. */
  consumedBy: string | null;
}

export interface CorrelationKeys {
  docvTransactionToken?: string | null;
  referenceId?: string | null;
  customerUserId?: string | null;
}

export interface TimelineEvent {
  sessionId: string;
  seq: number;
  at: number;
  type: string;
  /** Non-personal detail: node ids, event types, outcome. */
  detail: Record<string, unknown>;
}

export type OutboundStatus = 'pending' | 'delivered' | 'failed';

/** A signed callback to the embedding app, retried until delivered or out of attempts. */
export interface OutboundWebhook {
  id: string;
  sessionId: string;
  url: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  status: OutboundStatus;
  lastError: string | null;
}

export interface Store {
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  /** Store reachable and every migration applied. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;

  createSession(session: NewSession, now: number): Promise<SessionRow>;
  getSession(id: string): Promise<SessionRow | undefined>;
  getSessionData(id: string): Promise<SessionData | undefined>;
  /**
   * Applies `patch` only if the session is still at `expectedVersion`; returns the new row, or undefined when
   * another writer got there first. `output` records a node's output; `result` sets the end result; both are
   * written in the same transaction as the patch.
   */
  updateSession(
    id: string,
    expectedVersion: number,
    patch: SessionPatch,
    now: number,
    data?: {
      output?: { nodeId: string; value: unknown };
      result?: Record<string, unknown>;
      /** A delivery this step consumed, marked in the same transaction so a crash cannot reuse it. */
      consumedDelivery?: string;
    },
  ): Promise<SessionRow | undefined>;
  /** Waiting sessions whose timeout is due. */
  listDueSessions(now: number, limit: number): Promise<SessionRow[]>;
  /** Unfinished sessions whose time to live (`expiresAt`) has passed, oldest first. */
  listExpiredSessions(now: number, limit: number): Promise<SessionRow[]>;
  /** Sessions left 'running' before `before` (a crash mid-step): to be run again. */
  listStalledSessions(before: number, limit: number): Promise<SessionRow[]>;
  /** Waiting sessions whose challenge matches any of the keys. */
  findWaitingSessions(keys: CorrelationKeys): Promise<SessionRow[]>;

  /** Commits a delivery. 'duplicate' when its delivery id, or its token + event type, was seen before. */
  insertDelivery(delivery: Omit<InboxDelivery, 'consumedBy'>): Promise<'inserted' | 'duplicate'>;
  /** Deliveries matching any key, of the given event types, oldest first. */
  findDeliveries(keys: CorrelationKeys, eventTypes: readonly string[]): Promise<InboxDelivery[]>;
  markDeliveryConsumed(deliveryId: string, sessionId: string): Promise<void>;

  appendTimeline(
    sessionId: string,
    type: string,
    detail: Record<string, unknown>,
    now: number,
  ): Promise<void>;
  listTimeline(sessionId: string): Promise<TimelineEvent[]>;

  enqueueOutbound(webhook: Omit<OutboundWebhook, 'attempts' | 'status' | 'lastError'>): Promise<void>;
  /** Due pending webhooks; claiming pushes their next attempt to `leaseUntil` so two workers do not both send. */
  claimDueOutbound(now: number, leaseUntil: number, limit: number): Promise<OutboundWebhook[]>;
  recordOutboundAttempt(
    id: string,
    result: { status: OutboundStatus; nextAttemptAt: number; lastError: string | null },
  ): Promise<void>;
  listOutbound(sessionId: string): Promise<OutboundWebhook[]>;

  /** A value kept across restarts (e.g. the signing secret generated on first start). */
  getOrCreateSetting(name: string, create: () => string): Promise<string>;
}
