import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { stringThen } from '../shared/length-checks.js';
import { riskOsEvaluationSchema } from '../socure/riskos/response.js';
import { invalidEventError, isPlainObject, parseJsonObject } from './body.js';
import { WebhookAuthenticationError, WebhookPayloadError } from './errors.js';
import { DOCV_EVENT_TYPES } from './events.js';
import {
  assertWithinSize,
  DEFAULT_MAX_BODY_BYTES,
  type DeliveryKeys,
  getHeader,
  type UnknownDocvDelivery,
  type WebhookHeaders,
  type WebhookRawBody,
} from './verify.js';

/**
 * RiskOS webhook deliveries (socure-api.md §10): `{event_id, event_at, event_type, data}`. The set of event
 * types is open (Socure's pages disagree on the names): known ones are typed, others are kept as they are.
 */

export const RISKOS_EVENT_TYPES = [
  'evaluation_completed',
  'evaluation_paused',
  'reevaluation',
  'workflow_execution_failed',
  'decision_update',
  'fraud_confirming',
  'review_case_assigned',
  'review_case_unassigned',
  'case_status_updated',
  'case_notes_added',
  'case_attachment_added',
] as const;
export type RiskOsEventType = (typeof RISKOS_EVENT_TYPES)[number];

/** Every event type a flow's wait node may name: DocV's and RiskOS's. */
export const WAIT_EVENT_TYPES = [...DOCV_EVENT_TYPES, ...RISKOS_EVENT_TYPES] as const;

const RISKOS_EVENT_TYPE_SET: ReadonlySet<string> = new Set(RISKOS_EVENT_TYPES);
export const isRiskOsEventType = (v: unknown): v is RiskOsEventType =>
  typeof v === 'string' && RISKOS_EVENT_TYPE_SET.has(v);

/** Events whose `data` has the evaluation answer's shape. */
const EVALUATION_EVENTS = new Set<string>([
  'evaluation_completed',
  'evaluation_paused',
  'reevaluation',
  'workflow_execution_failed',
  'decision_update',
]);

/**
 * A case note. DocV progress arrives as `case_notes_added` with `reviewer_id: "Webhook"` and notes such as
 * "Document Front Uploaded" (HS); the rest of its `data` is undocumented, so it is loose.
 */
export const riskOsCaseNoteSchema = z.looseObject({
  eval_id: z.string().nullish(),
  id: z.string().nullish(),
  reviewer_id: z.string().nullish(),
  notes: z.unknown().optional(),
  docv_transaction_token: z.string().nullish(),
});

/** A loose evaluation: an event's `data` may lack what an API answer has. */
const eventEvaluationSchema = riskOsEvaluationSchema.extend({
  eval_id: stringThen(z.string().min(1)).optional(),
});

export const riskOsEnvelopeSchema = z.looseObject({
  // Length checks behind stringThen: a body is untrusted (see shared/length-checks.ts).
  event_id: z.union([stringThen(z.string().min(1)), z.number()]),
  event_at: z.string().nullish(),
  event_type: stringThen(z.string().min(1)),
  data: z.unknown().optional(),
});

export type RiskOsEvaluationEventData = z.infer<typeof eventEvaluationSchema>;
export type RiskOsCaseNote = z.infer<typeof riskOsCaseNoteSchema>;

/** The correlation keys of a RiskOS delivery. */
export interface RiskOsDeliveryKeys {
  deliveryId: string;
  evalId?: string;
  /** Your id of the evaluation (`data.id`). */
  id?: string;
  /** The DocV transaction of the evaluation's step-up, when its data names one. */
  docvTransactionToken?: string;
}

interface RiskOsDeliveryBase {
  id: string;
  authenticated: boolean;
  eventAt?: string;
  keys: RiskOsDeliveryKeys;
  raw: Record<string, unknown>;
}

export type RiskOsDelivery =
  | (RiskOsDeliveryBase & {
      known: true;
      eventType:
        | 'evaluation_completed'
        | 'evaluation_paused'
        | 'reevaluation'
        | 'workflow_execution_failed'
        | 'decision_update';
      data: RiskOsEvaluationEventData;
    })
  | (RiskOsDeliveryBase & { known: true; eventType: 'case_notes_added'; data: RiskOsCaseNote })
  | (RiskOsDeliveryBase & { known: false; eventType: string; data: unknown });

/** How a RiskOS subscription authenticates: a Bearer token (a UUID in the console) and/or Basic credentials. */
export interface RiskOsWebhookAuth {
  /** Accepted Bearer tokens (several during a rotation). */
  bearer?: string | readonly string[];
  /** Accepted Basic credentials. */
  basic?: { username: string; password: string } | ReadonlyArray<{ username: string; password: string }>;
}

const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest();

/**
 * True when the `Authorization` header presents one of the configured credentials, false when none is
 * configured; throws `WebhookAuthenticationError` otherwise. Constant-time over sha256 digests; every
 * configured credential is compared.
 */
export function verifyRiskOsAuthorization(headers: WebhookHeaders, auth: RiskOsWebhookAuth = {}): boolean {
  const bearers = (typeof auth.bearer === 'string' ? [auth.bearer] : [...(auth.bearer ?? [])]).filter(
    Boolean,
  );
  const basics = Array.isArray(auth.basic)
    ? [...auth.basic]
    : auth.basic
      ? [auth.basic as { username: string; password: string }]
      : [];
  if (bearers.length === 0 && basics.length === 0) return false;
  const header = getHeader(headers, 'authorization')?.trim();
  if (!header) throw new WebhookAuthenticationError('missing_authorization');
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  let candidates: string[];
  let presented: string;
  if (/^bearer$/i.test(scheme)) {
    candidates = bearers;
    presented = value;
  } else if (/^basic$/i.test(scheme)) {
    candidates = basics.map((b) => `${b.username}:${b.password}`);
    presented = Buffer.from(value, 'base64').toString('utf8');
  } else throw new WebhookAuthenticationError('invalid_authorization');
  const digest = sha(presented);
  let match = false;
  for (const c of candidates) match = timingSafeEqual(digest, sha(c)) || match;
  if (!match) throw new WebhookAuthenticationError('invalid_authorization');
  return true;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Whether a parsed body is a RiskOS envelope (and not a DocV one, which has `event`). */
export function isRiskOsEnvelope(raw: Record<string, unknown>): boolean {
  return !Object.hasOwn(raw, 'event') && Object.hasOwn(raw, 'event_type');
}

/** The DocV token a RiskOS event's data names: directly, or in its `SocureDocRequest` enrichment. */
function docvTokenOf(data: Record<string, unknown> | undefined): string | undefined {
  if (!data) return undefined;
  const direct = str(data.docv_transaction_token) ?? str(data.docvTransactionToken);
  if (direct) return direct;
  const enrichments = Array.isArray(data.data_enrichments) ? data.data_enrichments : [];
  for (const e of enrichments) {
    if (!isPlainObject(e) || !isPlainObject(e.response) || !isPlainObject(e.response.data)) continue;
    const token = str(e.response.data.docvTransactionToken) ?? str(e.response.data.docVTransactionToken);
    if (token) return token;
  }
  return undefined;
}

/** Parses a RiskOS delivery (already authenticated, or not: `authenticated` says which). */
export function parseRiskOsDelivery(raw: Record<string, unknown>, authenticated = false): RiskOsDelivery {
  const envelope = riskOsEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    if (path === 'event_id') throw new WebhookPayloadError('missing_id', 'RiskOS delivery has no "event_id"');
    throw new WebhookPayloadError('missing_event_type', 'RiskOS delivery has no "event_type" string');
  }
  const { event_id, event_at, event_type } = envelope.data;
  const data = isPlainObject(raw.data) ? raw.data : undefined;
  const keys: RiskOsDeliveryKeys = { deliveryId: String(event_id) };
  const evalId = str(data?.eval_id);
  if (evalId) keys.evalId = evalId;
  if (str(data?.id)) keys.id = str(data?.id);
  const token = docvTokenOf(data);
  if (token) keys.docvTransactionToken = token;
  const base = {
    id: String(event_id),
    authenticated,
    ...(str(event_at) ? { eventAt: str(event_at) } : {}),
    keys,
    raw,
  };
  const schema = EVALUATION_EVENTS.has(event_type)
    ? eventEvaluationSchema
    : event_type === 'case_notes_added'
      ? riskOsCaseNoteSchema
      : undefined;
  if (!schema) return { ...base, known: false, eventType: event_type, data: raw.data };
  const parsed = schema.safeParse(raw.data ?? {});
  if (!parsed.success) throw invalidEventError('data', event_type, parsed.error);
  return { ...base, known: true, eventType: event_type, data: parsed.data } as RiskOsDelivery;
}

export interface VerifyAndParseRiskOsOptions {
  headers: WebhookHeaders;
  rawBody: WebhookRawBody;
  auth?: RiskOsWebhookAuth;
  maxBytes?: number;
}

/**
 * Checks the size, authenticates (Bearer or Basic, when configured) and parses one RiskOS webhook delivery.
 * Throws `WebhookPayloadTooLargeError` (413), `WebhookAuthenticationError` (401) or `WebhookPayloadError` (400).
 */
export function verifyAndParseRiskOs({
  headers,
  rawBody,
  auth,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
}: VerifyAndParseRiskOsOptions): RiskOsDelivery {
  assertWithinSize(rawBody, maxBytes);
  const authenticated = verifyRiskOsAuthorization(headers, auth);
  return parseRiskOsDelivery(parseJsonObject(rawBody), authenticated);
}

/**
 * A RiskOS delivery in the shape the service's inbox and flow engine handle (an open-typed delivery): its
 * `eval_id` is the `referenceId` correlation key, its DocV token (if any) the `docvTransactionToken` key.
 * The RiskOS reading stays on `riskOs`.
 */
export function riskOsAsSocureDelivery(delivery: RiskOsDelivery): UnknownDocvDelivery {
  const keys: DeliveryKeys = { deliveryId: delivery.id };
  if (delivery.keys.evalId) keys.referenceId = delivery.keys.evalId;
  if (delivery.keys.docvTransactionToken) keys.docvTransactionToken = delivery.keys.docvTransactionToken;
  return {
    id: delivery.id,
    authenticated: delivery.authenticated,
    keys,
    raw: delivery.raw,
    known: false,
    eventType: delivery.eventType,
    event: { eventType: delivery.eventType },
    riskOs: delivery,
  };
}
