import type { Generated } from 'kysely';

/**
 * The tables as the database holds them (snake_case columns), shared by every dialect's store.
 * Where a type differs from the TypeScript row: JSON is stored as text, timestamps as integer milliseconds
 * (SQLite INTEGER / PostgreSQL bigint — `pg` returns bigint as a string, hence `number | string` below and
 * `Number()` in `rows.ts`), booleans as integer 0/1.
 */

type Int = number | string;

export interface SessionsTable {
  id: string;
  flow_id: string;
  status: string;
  node_id: string;
  version: number;
  lease_owner: string | null;
  lease_until: Int | null;
  customer_user_id: string | null;
  /** Sealed (an app's URL may name the person). */
  return_url: string | null;
  /** A language tag (en, es-MX) for the pages and DocV; see migration 0007. */
  language?: string | null;
  wake_at: Int | null;
  wait_token: string | null;
  wait_reference_id: string | null;
  wait_customer_user_id: string | null;
  /** JSON array of event types, as text. */
  wait_events: string | null;
  challenge_id: string | null;
  outcome: string | null;
  created_at: Int;
  updated_at: Int;
  expires_at: Int;
  /** Hash of the browser that first opened the session's page (see migration 0004). */
  claimed_by?: string | null;
  /** Keyed hash of the customer user id (the id itself is sealed in `customer_user_id`); migration 0006. */
  customer_user_hash?: string | null;
  /** When retention or an erasure removed the session's personal data. */
  purged_at?: Int | null;
}

/**
 * Personal data of a session, each column sealed JSON (src/crypto/envelope.ts). Personal data elsewhere, sealed
 * too: `sessions.customer_user_id`, `webhook_inbox.payload`, `outbound_webhooks.body`; by keyed hash only:
 * `sessions.wait_customer_user_id`, `sessions.customer_user_hash`, `webhook_inbox.customer_user_id`.
 */
export interface SessionDataTable {
  session_id: string;
  input: string;
  outputs: string;
  result: string | null;
}

export interface WebhookInboxTable {
  /** Receive order (an identity / AUTOINCREMENT column, assigned by the database). */
  seq: Generated<Int>;
  delivery_id: string;
  event_type: string;
  docv_transaction_token: string | null;
  reference_id: string | null;
  customer_user_id: string | null;
  /** The raw body (personal data). */
  payload: string;
  /** 0 or 1. */
  authenticated: number;
  received_at: Int;
  consumed_by: string | null;
  /** When a sweep must correlate it if the receiving instance has not (null once correlated). */
  correlate_by: Int | null;
}

/** Ordered by the session version that wrote the entry, then its index within that step. */
export interface TimelineTable {
  session_id: string;
  version: number;
  idx: number;
  at: Int;
  type: string;
  /** JSON object, as text. */
  detail: string;
}

export interface OutboundWebhooksTable {
  id: string;
  session_id: string;
  url: string;
  body: string;
  attempts: number;
  next_attempt_at: Int;
  status: string;
  last_error: string | null;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export interface AuditLogTable {
  id: Generated<Int>;
  at: Int;
  type: string;
  actor: string;
  /** JSON object, as text: non-personal detail only. */
  detail: string;
  /** Position in the chain, null until chained. */
  seq: Int | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface JobsTable {
  name: string;
  owner: string | null;
  lease_until: Int;
  last_run_at: Int | null;
}

export interface StoreTables {
  sessions: SessionsTable;
  session_data: SessionDataTable;
  webhook_inbox: WebhookInboxTable;
  session_timeline: TimelineTable;
  outbound_webhooks: OutboundWebhooksTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
}
