import { randomUUID } from 'node:crypto';
import type { DocumentVerification } from '../socure/idplus/response.js';
import { DOCV_EVENT_GROUP, DOCV_EVENT_MESSAGES, type DocvEventType, isDocvEventType } from './events.js';

/**
 * Test helpers in the manner of stripe-node's `generateTestHeaderString`: build a Socure-shaped delivery
 * and the request that carries it, so tests exercise the real `verifyAndParse`.
 */

export interface BuildTestDeliveryOptions {
  /** A known DocV event type, or any string to simulate an event type this version does not know. */
  eventType: DocvEventType | (string & {});
  referenceId?: string;
  docvTransactionToken?: string;
  customerUserId?: string | number;
  /** Replaces the default `event.data` of the event type. */
  data?: Record<string, unknown>;
  environmentName?: string;
  /** The delivery id; a fresh UUID by default. */
  id?: string;
  /** ISO timestamp; now by default. */
  created?: string;
}

export interface TestDeliveryPayload {
  id: string;
  origId: string;
  eventGroup: string;
  reason: string;
  environmentName: string;
  event: {
    eventType: string;
    referenceId: string;
    docvTransactionToken?: string;
    customerUserId?: string | number;
    message: string;
    created: string;
    data: Record<string, unknown>;
  };
}

/** An accepted Sandbox result (socure-api.md §5.4). */
export function sampleDocumentVerification(): DocumentVerification {
  return {
    reasonCodes: ['I831', 'I836'],
    documentType: { type: 'Drivers License', country: 'USA', state: 'NY' },
    decision: { name: 'lenient', value: 'accept' },
    documentData: {
      firstName: 'Jane',
      surName: 'Doe',
      fullName: 'Jane Doe',
      address: '123 Main St, Albany, NY 12207',
      parsedAddress: {
        physicalAddress: '123 Main St',
        city: 'Albany',
        state: 'NY',
        country: 'US',
        zip: '12207',
      },
      documentNumber: 'SOC86753099',
      dob: '1990-01-01',
      issueDate: '2020-01-01',
      expirationDate: '2030-01-01',
    },
  };
}

function defaultData(eventType: string, referenceId: string): Record<string, unknown> {
  switch (eventType) {
    case 'DOCUMENTS_UPLOADED':
      return { uuid: randomUUID(), referenceId };
    case 'VERIFICATION_COMPLETED':
      return { documentVerification: sampleDocumentVerification(), referenceId };
    default:
      return {};
  }
}

/** A Socure-shaped delivery body (an object; serialise it yourself or use `generateTestHeaders`). */
export function buildTestDelivery(options: BuildTestDeliveryOptions): TestDeliveryPayload {
  const { eventType } = options;
  const referenceId = options.referenceId ?? randomUUID();
  const event: TestDeliveryPayload['event'] = {
    eventType,
    referenceId,
    message: isDocvEventType(eventType) ? DOCV_EVENT_MESSAGES[eventType] : eventType,
    created: options.created ?? new Date().toISOString(),
    data: options.data ?? defaultData(eventType, referenceId),
  };
  if (options.docvTransactionToken !== undefined) event.docvTransactionToken = options.docvTransactionToken;
  if (options.customerUserId !== undefined) event.customerUserId = options.customerUserId;
  return {
    id: options.id ?? randomUUID(),
    origId: referenceId,
    eventGroup: DOCV_EVENT_GROUP,
    reason: eventType,
    environmentName: options.environmentName ?? 'Sandbox',
    event,
  };
}

export interface GenerateTestHeadersOptions {
  /** An object (serialised with JSON.stringify) or an exact raw body. */
  payload: unknown;
  /** Sent in `Authorization` when given. */
  secret?: string;
  /** `bare` (the default; what login.gov's mock sends) or `bearer` (`Bearer <secret>`). */
  scheme?: 'bare' | 'bearer';
}

/** The headers and raw body of a delivery that `verifyAndParse` accepts with `secrets: secret`. */
export function generateTestHeaders(options: GenerateTestHeadersOptions): {
  headers: Record<string, string>;
  rawBody: string;
} {
  const { payload, secret, scheme = 'bare' } = options;
  const rawBody =
    typeof payload === 'string'
      ? payload
      : payload instanceof Uint8Array
        ? Buffer.from(payload).toString('utf8')
        : JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'socure-connector-test',
  };
  if (secret !== undefined) headers.authorization = scheme === 'bearer' ? `Bearer ${secret}` : secret;
  return { headers, rawBody };
}
