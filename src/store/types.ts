/**
 * The storage interface of the service. Everything is async so a networked database (PostgreSQL) fits
 * behind the same interface; no method leaks a SQL dialect. Personal data (inputs, Socure results,
 * webhook bodies) lives apart from engine state, so encryption at rest, retention and delete-by-user can
 * be added in one module.
 */
import type { BacklogStore } from './backlog.js';
import type { OperatorStore } from './operator-types.js';

export type SessionStatus = 'running' | 'input' | 'waiting' | 'completed';
export const OUTCOMES = ['verified', 'rejected', 'review', 'failed', 'expired', 'cancelled'] as const;
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
  /**
   * Who may run the session's steps (an engine run id) and until when (ms since epoch). A step commits only
   * while its runner holds the lease; recovery takes over only expired leases. Null when nobody runs it.
   */
  leaseOwner: string | null;
  leaseUntil: number | null;
  customerUserId: string | null;
  returnUrl: string | null;
  /** The session's language tag (en, es-MX): from the API, else the first browser's; null until either. */
  language: string | null;
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
  /** A language tag for the pages and DocV (`language` on POST /api/sessions). */
  language?: string | null;
  /** Timeline entries committed with the session (e.g. 'created'). */
  timeline?: TimelineEntry[];
  /** Audit entries committed with the session ('session.started'). */
  audit?: AuditEntry[];
}

/** Where a page of the session list starts: after this session, newest first (created_at desc, id desc). */
export interface SessionListPosition {
  createdAt: number;
  id: string;
}

/** Filters and page of `Store.listSessions`. */
export interface SessionListQuery {
  status?: SessionStatus;
  flowId?: string;
  /** Sessions of this person, found by the keyed hash of the id (never by the id itself). */
  customerUserId?: string;
  outcome?: Outcome;
  /** Created at or after / before these times (ms since epoch). */
  createdFrom?: number;
  createdBefore?: number;
  /** The last session of the previous page. */
  after?: SessionListPosition;
  limit: number;
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

/** A delivery as the webhook route commits it: not consumed yet. */
export type NewDelivery = Omit<InboxDelivery, 'consumedBy'>;

/**
 * What committing a delivery did: inserted, or a duplicate (same delivery id, or same token + event type). For an
 * inserted one, whether a session was waiting on its keys when it was committed (then correlate it now; if not,
 * a session that starts waiting finds it in the inbox, and the sweep settles it after the grace period).
 */
export interface DeliveryReceipt {
  status: 'inserted' | 'duplicate';
  sessionWaits: boolean;
}

export interface CorrelationKeys {
  docvTransactionToken?: string | null;
  referenceId?: string | null;
  /** The keyed hash of the customer user id (`Store.lookupHash`): the store never holds or finds the id itself. */
  customerUserId?: string | null;
}

export interface TimelineEvent {
  sessionId: string;
  /** Position in the session's timeline, from 1 (ordered by the session version that wrote it). */
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

/** A timeline entry written by a step (non-personal detail only). */
export interface TimelineEntry {
  type: string;
  detail: Record<string, unknown>;
}

/** A new outbound callback, committed with the step that ends a session (the transactional outbox). */
export type NewOutbound = Omit<OutboundWebhook, 'attempts' | 'status' | 'lastError'>;

/** Who runs a step: the run id, and until when its lease holds (null releases it with this commit). */
export interface LeaseClaim {
  owner: string;
  until: number | null;
}

/**
 * One step of a session, committed as ONE transaction: the session patch (only if the session is still at
 * `expectedVersion` and its lease is free, expired or `lease.owner`'s), the node's output, the end result,
 * the consumed delivery, the timeline entries and the app callback. Nothing of it is written otherwise.
 */
export interface StepCommit {
  sessionId: string;
  expectedVersion: number;
  patch: SessionPatch;
  now: number;
  lease: LeaseClaim;
  output?: { nodeId: string; value: unknown };
  /** More outputs written with `output` (e.g. a resend: the new transaction, the changed number, the count). */
  moreOutputs?: ReadonlyArray<{ nodeId: string; value: unknown }>;
  result?: Record<string, unknown>;
  /** A delivery this step consumed: marked in the same transaction so a crash cannot reuse it. */
  consumedDelivery?: string;
  timeline?: TimelineEntry[];
  outbound?: NewOutbound;
  /** Audit entries of the step (Socure calls, the decision), committed with it. */
  audit?: AuditEntry[];
}

/** An act the audit trail records: no personal data in `detail` (ids, outcomes, reason codes, counts). */
export interface AuditEntry {
  /** e.g. session.started, socure.call, session.decided, callback.delivered, customer.erased, keys.rotated. */
  type: string;
  /** Who acted: `api-key:<key id>`, `public-page`, `engine`, `retention`, `cli`. */
  actor: string;
  detail: Record<string, unknown>;
}

/** An entry of the chained audit log: its hash covers its fields and the previous entry's hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  at: number;
  prevHash: string;
  hash: string;
  /** The detail exactly as stored (what the hash covers). */
  detailText: string;
}

/** Chained entries after `afterSeq` (exclusive) and at or after `since` (ms), in chain order. */
export interface AuditListQuery {
  afterSeq?: number;
  since?: number;
  limit: number;
}

/** What an erasure removed, by kind of record. */
export interface ErasureCounts {
  sessions: number;
  deliveries: number;
  callbacks: number;
}

/** Personal data older than these times (ms since epoch) is purged. */
export interface RetentionCutoffs {
  /** Ended sessions, consumed deliveries and finished callbacks last changed before this. */
  endedBefore: number;
  /** Deliveries no session consumed, received before this. */
  unmatchedBefore: number;
}

export interface PurgeCounts {
  sessions: number;
  deliveries: number;
  callbacks: number;
}

/** One batch of `keys rotate`: records re-sealed under the current key, and how many are left. */
export interface RotationProgress {
  resealed: number;
  remaining: number;
}

/** What a session change notification carries (no personal data). */
export interface SessionChange {
  id: string;
  version: number;
  status: SessionStatus;
}

/**
 * Tells whoever listens that a session changed, across every instance that shares the database: in-process
 * for SQLite, LISTEN/NOTIFY for PostgreSQL. Notifications may be lost (a dropped connection): listeners must
 * re-read the session when they (re)connect.
 */
export interface ChangeFeed {
  subscribe(sessionId: string, listener: (change: SessionChange) => void): () => void;
  /** Open subscriptions (sessions with at least one listener). */
  readonly size: number;
}

/** The operator console's queries (operator-types.ts) and the metrics' counts (backlog.ts) are part of every store. */
export interface Store extends OperatorStore, BacklogStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call on every start and from several processes at once. */
  migrate(): Promise<void>;
  /** Store reachable and every migration applied. */
  ready(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
  /** Committed session changes of every instance on this database. */
  readonly changes: ChangeFeed;

  /** Creates a session, running and leased to `lease`, with its first timeline entries. */
  createSession(session: NewSession, now: number, lease: LeaseClaim): Promise<SessionRow>;
  getSession(id: string): Promise<SessionRow | undefined>;
  getSessionData(id: string): Promise<SessionData | undefined>;
  /**
   * The first claimant of a session keeps it: true when `claimant` holds it (now or already), false when
   * another did first or there is no such session.
   */
  claimSession(id: string, claimant: string, language?: string): Promise<boolean>;
  /** See `StepCommit`; returns the new row, or undefined when the version or the lease did not match. */
  commitStep(step: StepCommit): Promise<SessionRow | undefined>;
  /**
   * Takes (or extends) the lease of a session without changing it: only if it is at `expectedVersion` (when
   * given) and its lease is free, expired or already `lease.owner`'s. Undefined when another runner holds it.
   */
  acquireLease(
    id: string,
    lease: { owner: string; until: number },
    now: number,
    expectedVersion?: number,
  ): Promise<SessionRow | undefined>;
  /** Gives a lease back (only `owner`'s). */
  releaseLease(id: string, owner: string): Promise<void>;

  /** Waiting sessions whose timeout is due and whose lease is free: leased to `lease` and returned. */
  claimDueSessions(
    now: number,
    lease: { owner: string; until: number },
    limit: number,
  ): Promise<SessionRow[]>;
  /** Unfinished sessions past their time to live with a free lease: leased to `lease` and returned. */
  claimExpiredSessions(
    now: number,
    lease: { owner: string; until: number },
    limit: number,
  ): Promise<SessionRow[]>;
  /** Running sessions whose runner's lease expired (a crash mid-step): leased to `lease` and returned. */
  claimStalledSessions(
    now: number,
    lease: { owner: string; until: number },
    limit: number,
  ): Promise<SessionRow[]>;
  /**
   * Unfinished sessions leased by an earlier life of this instance (owner starting with `previousOwners` but not
   * with `currentOwners`): that process is gone, so they are taken at once instead of after the lease expires.
   */
  claimOrphanedSessions(
    previousOwners: string,
    currentOwners: string,
    lease: { owner: string; until: number },
    limit: number,
  ): Promise<SessionRow[]>;
  /** Waiting sessions whose challenge matches any of the keys. */
  findWaitingSessions(keys: CorrelationKeys): Promise<SessionRow[]>;
  /** Sessions newest first (created_at, then id, descending), filtered, one page from `query.after`. */
  listSessions(query: SessionListQuery): Promise<SessionRow[]>;
  /** Every waiting session, oldest first, in pages (`after`: the last id of the previous page). */
  listWaitingSessions(limit: number, after?: string): Promise<SessionRow[]>;

  /**
   * Commits a delivery, pending correlation until `correlateBy`. 'duplicate' when its delivery id, or its
   * token + event type, was seen before.
   */
  insertDelivery(delivery: NewDelivery, correlateBy: number): Promise<DeliveryReceipt>;
  /** Deliveries matching any key, of the given event types, in the order they were received. */
  findDeliveries(keys: CorrelationKeys, eventTypes: readonly string[]): Promise<InboxDelivery[]>;
  /** The delivery was correlated (resumed its session, or none waited for it): no sweep needs it again. */
  markDeliveryCorrelated(deliveryId: string): Promise<void>;
  /**
   * Ends the correlation of up to `limit` overdue deliveries (correlate-by ≤ now) on whose keys no session waits,
   * in one statement; returns how many. What remains overdue has a waiting session: claim and correlate it.
   */
  settleDeliveries(now: number, limit: number): Promise<number>;
  /** Deliveries whose correlation is overdue (the receiving instance died): pushed to `until` and returned. */
  claimUncorrelatedDeliveries(now: number, until: number, limit: number): Promise<InboxDelivery[]>;

  listTimeline(sessionId: string): Promise<TimelineEvent[]>;

  /** Due pending webhooks; claiming pushes their next attempt to `leaseUntil` so two workers do not both send. */
  claimDueOutbound(now: number, leaseUntil: number, limit: number): Promise<OutboundWebhook[]>;
  recordOutboundAttempt(
    id: string,
    result: {
      status: OutboundStatus;
      nextAttemptAt: number;
      lastError: string | null;
      /** Audit entries committed with the attempt ('callback.delivered'). */
      audit?: AuditEntry[];
    },
  ): Promise<void>;
  listOutbound(sessionId: string): Promise<OutboundWebhook[]>;

  /** A value kept across restarts and shared by every instance (e.g. the signing secret generated on first start). */
  getOrCreateSetting(name: string, create: () => string): Promise<string>;

  /** The keyed hash (HMAC-SHA-256) of a customer user id, as the store keeps and finds it. */
  lookupHash(customerUserId: string): string;
  /**
   * Removes every personal field held for a person (sessions, their deliveries and callbacks) in one transaction;
   * unfinished sessions of theirs end as failed. `audit` is committed with it.
   */
  eraseCustomer(customerUserId: string, now: number, audit: AuditEntry): Promise<ErasureCounts>;
  /** Purges up to `limit` records of each kind past retention, keeping the non-personal record of sessions. */
  purgePersonalData(cutoffs: RetentionCutoffs, now: number, limit: number): Promise<PurgeCounts>;
  /**
   * Re-seals up to `limit` records of each kind (each sealed column, each hashed one) that are not under the key
   * ring's current key, or not sealed or hashed yet.
   */
  rotateKeys(limit: number): Promise<RotationProgress>;
  /** Records not under the ring's current key. */
  countRecordsToRotate(): Promise<number>;
  /** Takes a scheduled job's lease until `until` when it is free: true for exactly one instance per period. */
  claimJob(name: string, owner: string, now: number, until: number): Promise<boolean>;

  /** Appends entries to the audit trail (unchained until `chainAudit`). */
  appendAudit(entries: AuditEntry[], now: number): Promise<void>;
  /** Chains up to `limit` appended entries, in order, under the chain lock; returns how many. */
  chainAudit(limit: number): Promise<number>;
  listAudit(query: AuditListQuery): Promise<AuditRecord[]>;
}
