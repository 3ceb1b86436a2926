import { createHash, timingSafeEqual } from 'node:crypto';
import { invalidEventError, isPlainObject, parseJsonObject } from './body.js';
import { WebhookAuthenticationError, WebhookPayloadError, WebhookPayloadTooLargeError } from './errors.js';
import {
  DOCV_EVENT_SCHEMAS,
  type DocvEventOf,
  type DocvEventType,
  isDocvEventType,
  type UnknownDocvEvent,
  unknownDocvEventSchema,
} from './events.js';
import {
  isRiskOsEnvelope,
  parseRiskOsDelivery,
  type RiskOsDelivery,
  riskOsAsSocureDelivery,
} from './riskos.js';

/** A plain header object (any casing; Node's `IncomingHttpHeaders` fits) or a WHATWG `Headers`. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
export type WebhookRawBody = string | Uint8Array; // Buffer is a Uint8Array
/** One secret, several during a rotation (any may match), or none (deliveries are accepted unauthenticated). */
export type WebhookSecrets = string | readonly string[] | undefined;

/** The correlation keys of a delivery, normalised: both token casings, `customerUserId` as a string. */
export interface DeliveryKeys {
  deliveryId: string;
  docvTransactionToken?: string;
  referenceId?: string;
  customerUserId?: string;
  eventId?: string;
}

interface DeliveryBase {
  /** The delivery id (`id`); the same on a retry of the same delivery, so dedupe on it. */
  id: string;
  /** True when a configured secret matched; false when no secret is configured. */
  authenticated: boolean;
  keys: DeliveryKeys;
  environmentName?: string;
  /** The parsed JSON body exactly as received (original casing and types). */
  raw: Record<string, unknown>;
  /** Set when the delivery is a RiskOS event (`{event_id, event_type, data}`): its RiskOS reading. */
  riskOs?: RiskOsDelivery;
}

export type KnownDocvDelivery = {
  [T in DocvEventType]: DeliveryBase & { known: true; eventType: T; event: DocvEventOf<T> };
}[DocvEventType];

export type UnknownDocvDelivery = DeliveryBase & { known: false; eventType: string; event: UnknownDocvEvent };

/** Check `known` first, then switch on `eventType` to narrow `event`. */
export type SocureWebhookDelivery = KnownDocvDelivery | UnknownDocvDelivery;

/** The default size cap of a delivery body: 1 MiB, the same as the service's webhook route. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface VerifyAndParseOptions {
  headers: WebhookHeaders;
  rawBody: WebhookRawBody;
  secrets?: WebhookSecrets;
  /**
   * Bodies larger than this many bytes (UTF-8 bytes for a string) are refused with
   * `WebhookPayloadTooLargeError` (413) before the secret is checked or anything is parsed. Default 1 MiB
   * (`DEFAULT_MAX_BODY_BYTES`). Cap the body where you read it too: this check comes after it is buffered.
   */
  maxBytes?: number;
}

/**
 * Checks the size, authenticates (when a secret is configured) and parses one Socure webhook delivery.
 * Throws `WebhookPayloadTooLargeError` (413), `WebhookAuthenticationError` (401) or `WebhookPayloadError` (400);
 * nothing else for any input. A `maxBytes` that is not a positive whole number is a `TypeError` (a
 * configuration error).
 */
export function verifyAndParse({
  headers,
  rawBody,
  secrets,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
}: VerifyAndParseOptions): SocureWebhookDelivery {
  assertWithinSize(rawBody, maxBytes);
  const authenticated = verifyAuthorization({ headers, secrets });
  return parseDelivery(rawBody, authenticated);
}

/** Throws `WebhookPayloadTooLargeError` when `rawBody` has more than `maxBytes` bytes (UTF-8 for a string). */
export function assertWithinSize(rawBody: WebhookRawBody, maxBytes: number = DEFAULT_MAX_BODY_BYTES): void {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError('maxBytes must be a whole number of bytes > 0');
  }
  let bytes: number;
  if (typeof rawBody === 'string') {
    // A UTF-16 unit is at least one UTF-8 byte: a string longer than the cap is over it without counting.
    bytes = rawBody.length > maxBytes ? rawBody.length : Buffer.byteLength(rawBody, 'utf8');
  } else if (rawBody instanceof Uint8Array) {
    bytes = rawBody.byteLength;
  } else {
    return; // not a body at all: parseDelivery says so (empty_body)
  }
  if (bytes > maxBytes) throw new WebhookPayloadTooLargeError(maxBytes);
}

/** Normalises the configured secrets: empty strings mean "not configured". */
export function normalizeSecrets(secrets: WebhookSecrets): string[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets ? [...secrets] : [];
  const out: string[] = [];
  for (const secret of list) {
    if (typeof secret !== 'string') throw new TypeError('webhook secrets must be strings');
    if (secret === '') continue;
    if (/\s/.test(secret)) throw new TypeError('a webhook secret must not contain whitespace');
    out.push(secret);
  }
  return out;
}

/**
 * Returns true when a configured secret matches the `Authorization` header, false when no secret is
 * configured; throws `WebhookAuthenticationError` otherwise. Accepts the bare secret or `<scheme> <secret>`
 * (the last whitespace-separated token counts). Comparison is constant-time over sha256 digests, and every
 * configured secret is compared, so neither length nor position leaks.
 */
export function verifyAuthorization({
  headers,
  secrets,
}: {
  headers: WebhookHeaders;
  secrets?: WebhookSecrets;
}): boolean {
  const configured = normalizeSecrets(secrets);
  if (configured.length === 0) return false;
  const header = getHeader(headers, 'authorization');
  if (header === undefined || header.trim() === '')
    throw new WebhookAuthenticationError('missing_authorization');
  const tokens = header.trim().split(/\s+/);
  const presented = [digest(tokens[tokens.length - 1] ?? '')];
  // RiskOS subscriptions may use Basic: the password (any user name) counts as the secret too.
  if (tokens.length === 2 && /^basic$/i.test(tokens[0]!)) {
    const decoded = Buffer.from(tokens[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) presented.push(digest(decoded.slice(colon + 1)));
  }
  let match = false;
  for (const secret of configured) {
    // Non-short-circuit OR: every secret (and every presented form) is compared.
    for (const p of presented) match = timingSafeEqual(p, secretDigest(secret)) || match;
  }
  if (!match) throw new WebhookAuthenticationError('invalid_authorization');
  return true;
}

// createHash, not crypto.hash: the package supports every Node 20, and crypto.hash came in 20.12.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The configured secrets' digests, kept: they are the same on every delivery. Bounded, as callers pass any. */
const secretDigests = new Map<string, Buffer>();
function secretDigest(secret: string): Buffer {
  let known = secretDigests.get(secret);
  if (!known) {
    if (secretDigests.size >= 64) secretDigests.clear();
    known = digest(secret);
    secretDigests.set(secret, known);
  }
  return known;
}

/**
 * Case-insensitive header lookup. A header given several times (an array) is ambiguous for credentials,
 * so it is only used when it holds exactly one value.
 */
export function getHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  // WHATWG Headers of any realm (global, undici's own export, a polyfill): it already joins and folds case.
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as Headers).get(name);
    return typeof value === 'string' ? value : undefined;
  }
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return values.length === 1 ? values[0] : undefined;
}

/** Parses a delivery body without authentication (the caller has authenticated it, or chooses not to). */
export function parseDelivery(rawBody: WebhookRawBody, authenticated = false): SocureWebhookDelivery {
  const raw = parseJsonObject(rawBody);
  // RiskOS posts its own envelope to the same receiver: read it as an open-typed delivery (riskos.ts).
  if (isRiskOsEnvelope(raw)) return riskOsAsSocureDelivery(parseRiskOsDelivery(raw, authenticated));

  const id = raw.id;
  if (!((typeof id === 'string' && id.trim() !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
    throw new WebhookPayloadError('missing_id', 'webhook delivery has no delivery id ("id")');
  }
  const deliveryId = String(id);

  if (!Object.hasOwn(raw, 'event') || raw.event === null || raw.event === undefined) {
    throw new WebhookPayloadError('missing_event', 'webhook delivery has no "event"');
  }
  const rawEvent = raw.event;
  if (!isPlainObject(rawEvent)) {
    throw new WebhookPayloadError('event_not_object', '"event" is not a JSON object');
  }
  const eventType = rawEvent.eventType;
  if (typeof eventType !== 'string' || eventType === '') {
    throw new WebhookPayloadError('missing_event_type', 'webhook delivery has no "event.eventType" string');
  }

  const environmentName = typeof raw.environmentName === 'string' ? raw.environmentName : undefined;
  const keys = extractKeys(deliveryId, raw, rawEvent);
  const base = {
    id: deliveryId,
    authenticated,
    keys,
    ...(environmentName === undefined ? {} : { environmentName }),
    raw,
  };

  if (!isDocvEventType(eventType)) {
    return { ...base, known: false, eventType, event: unknownDocvEventSchema.parse(rawEvent) };
  }
  const result = DOCV_EVENT_SCHEMAS[eventType].safeParse(rawEvent);
  if (!result.success) throw invalidEventError('event', eventType, result.error);
  return { ...base, known: true, eventType, event: result.data } as KnownDocvDelivery;
}

const ownString = (obj: Record<string, unknown> | undefined, key: string): string | undefined => {
  if (!obj || !Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

function extractKeys(
  deliveryId: string,
  raw: Record<string, unknown>,
  event: Record<string, unknown>,
): DeliveryKeys {
  const data = Object.hasOwn(event, 'data') && isPlainObject(event.data) ? event.data : undefined;
  const first = (...values: (string | undefined)[]) => values.find((v) => v !== undefined);
  const docvTransactionToken = first(
    ownString(event, 'docvTransactionToken'),
    ownString(event, 'docVTransactionToken'),
    ownString(data, 'docvTransactionToken'),
    ownString(data, 'docVTransactionToken'),
  );
  const referenceId = first(
    ownString(event, 'referenceId'),
    ownString(data, 'referenceId'),
    ownString(raw, 'origId'),
  );
  const customerUserId = first(userId(event), userId(data));
  const eventId = first(ownString(event, 'eventId'), ownString(data, 'eventId'));
  const keys: DeliveryKeys = { deliveryId };
  if (docvTransactionToken !== undefined) keys.docvTransactionToken = docvTransactionToken;
  if (referenceId !== undefined) keys.referenceId = referenceId;
  if (customerUserId !== undefined) keys.customerUserId = customerUserId;
  if (eventId !== undefined) keys.eventId = eventId;
  return keys;
}

function userId(obj: Record<string, unknown> | undefined): string | undefined {
  if (!obj || !Object.hasOwn(obj, 'customerUserId')) return undefined;
  const value = obj.customerUserId;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
