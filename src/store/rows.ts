/**
 * Mapping between database rows (`schema.ts`) and the store's TypeScript types (`types.ts`), shared by every
 * dialect: integers may arrive as strings (PostgreSQL bigint), JSON is text, booleans are 0/1.
 */
import type { Selectable } from 'kysely';
import type { PersonalData, SealedColumn } from './personal-data.js';
import type { OutboundWebhooksTable, SessionsTable, TimelineTable, WebhookInboxTable } from './schema.js';
import type {
  InboxDelivery,
  OutboundStatus,
  OutboundWebhook,
  Outcome,
  SessionPatch,
  SessionRow,
  SessionStatus,
  TimelineEvent,
} from './types.js';

function int(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

function intOrNull(value: number | string | null): number | null {
  return value === null ? null : int(value);
}

export function toJson(value: unknown): string {
  // `undefined` (e.g. a node with no output) is stored as null so the key is kept.
  return JSON.stringify(value === undefined ? null : value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** What a session row keeps of its sealed fields until they are read (not enumerable: spreads and JSON skip it). */
const SEALED = Symbol('sealed session fields');
/** Not opened yet (null is an opened value: the column is empty). */
const UNOPENED = Symbol('unopened');

type SealedKey = 'customerUserId' | 'returnUrl';
interface SealedFields {
  pd: PersonalData;
  /** As stored (sealed), by field. */
  stored: Record<SealedKey, string | null>;
  /** Opened (or set) values, by field; UNOPENED until first read. */
  customerUserId: string | null | typeof UNOPENED;
  returnUrl: string | null | typeof UNOPENED;
}
type Sealed = SessionRow & { [SEALED]: SealedFields };

/**
 * A sealed field as an enumerable accessor, so spreads, JSON and equality checks see a plain value; it opens the
 * stored value on first read. Made once per field and shared by every row: accessors made per row (closures) gave
 * each row a hidden class of its own, which cost ~4 KB of memory per open event stream (bench/sse-memory.ts) and made
 * every read of a row's fields megamorphic.
 */
function sealedAccessor(key: SealedKey, column: SealedColumn): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Sealed) {
      const fields = this[SEALED];
      let value = fields[key];
      if (value === UNOPENED) {
        const stored = fields.stored[key];
        value = fields[key] = stored === null ? null : fields.pd.open(column, this.id, stored);
      }
      return value;
    },
    set(this: Sealed, value: string | null) {
      this[SEALED][key] = value;
    },
  };
}

const SEALED_ACCESSORS: PropertyDescriptorMap = {
  customerUserId: sealedAccessor('customerUserId', 'sessions.customer_user_id'),
  // An app's return URL may carry who the person is (?email=…): sealed like the rest.
  returnUrl: sealedAccessor('returnUrl', 'sessions.return_url'),
};

/**
 * The session row, its sealed fields opened when first read: claims and sweeps that never look at them pay no
 * decryption, and one record that does not open (a key missing from the ring) fails only where it is used — the
 * step of that session — not every session claimed with it.
 */
export function toSessionRow(row: SessionsTable, pd: PersonalData): SessionRow {
  const session = {
    id: row.id,
    flowId: row.flow_id,
    status: row.status as SessionStatus,
    nodeId: row.node_id,
    version: int(row.version),
    leaseOwner: row.lease_owner,
    leaseUntil: intOrNull(row.lease_until),
    wakeAt: intOrNull(row.wake_at),
    waitToken: row.wait_token,
    waitReferenceId: row.wait_reference_id,
    waitCustomerUserId: row.wait_customer_user_id,
    waitEvents: row.wait_events === null ? null : fromJson<string[]>(row.wait_events),
    challengeId: row.challenge_id,
    outcome: row.outcome as Outcome | null,
    language: row.language ?? null,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    expiresAt: int(row.expires_at),
  } as SessionRow;
  const fields: SealedFields = {
    pd,
    stored: { customerUserId: row.customer_user_id, returnUrl: row.return_url },
    customerUserId: UNOPENED,
    returnUrl: UNOPENED,
  };
  Object.defineProperty(session, SEALED, { value: fields });
  return Object.defineProperties(session, SEALED_ACCESSORS);
}

/** The columns a patch sets; keys absent from the patch (or `undefined`) are left alone. */
export function sessionPatchColumns(patch: SessionPatch): Partial<SessionsTable> {
  const columns: Partial<SessionsTable> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.nodeId !== undefined) columns.node_id = patch.nodeId;
  if (patch.wakeAt !== undefined) columns.wake_at = patch.wakeAt;
  if (patch.waitToken !== undefined) columns.wait_token = patch.waitToken;
  if (patch.waitReferenceId !== undefined) columns.wait_reference_id = patch.waitReferenceId;
  if (patch.waitCustomerUserId !== undefined) columns.wait_customer_user_id = patch.waitCustomerUserId;
  if (patch.waitEvents !== undefined) {
    columns.wait_events = patch.waitEvents === null ? null : JSON.stringify(patch.waitEvents);
  }
  if (patch.challengeId !== undefined) columns.challenge_id = patch.challengeId;
  if (patch.outcome !== undefined) columns.outcome = patch.outcome;
  return columns;
}

export function toInboxDelivery(row: Selectable<WebhookInboxTable>, pd: PersonalData): InboxDelivery {
  return {
    deliveryId: row.delivery_id,
    eventType: row.event_type,
    docvTransactionToken: row.docv_transaction_token,
    referenceId: row.reference_id,
    customerUserId: row.customer_user_id,
    payload: pd.open('webhook_inbox.payload', row.delivery_id, row.payload),
    authenticated: int(row.authenticated) !== 0,
    receivedAt: int(row.received_at),
    consumedBy: row.consumed_by,
  };
}

export function toTimelineEvent(row: TimelineTable, position: number): TimelineEvent {
  return {
    sessionId: row.session_id,
    seq: position,
    at: int(row.at),
    type: row.type,
    detail: fromJson<Record<string, unknown>>(row.detail),
  };
}

export function toOutboundWebhook(row: OutboundWebhooksTable, pd: PersonalData): OutboundWebhook {
  return {
    id: row.id,
    sessionId: row.session_id,
    url: row.url,
    body: pd.open('outbound_webhooks.body', row.id, row.body),
    attempts: int(row.attempts),
    nextAttemptAt: int(row.next_attempt_at),
    status: row.status as OutboundStatus,
    lastError: row.last_error,
  };
}
