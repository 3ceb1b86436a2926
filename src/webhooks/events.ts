import { z } from 'zod';
import { documentVerificationSchema } from '../socure/idplus/response.js';

/**
 * Socure DocV webhook deliveries (socure-api.md §6). Objects are loose: unknown fields pass through, so a
 * field Socure adds tomorrow is kept. Only what we read is typed, and every block except `eventType` is
 * optional (real captures lack the token, the customer user id, `created`, sometimes `data`).
 */

export const DOCV_EVENT_GROUP = 'DocvNotification';

export const DOCV_EVENT_TYPES = [
  'WAITING_FOR_USER_TO_REDIRECT',
  'APP_OPENED',
  'DOCUMENT_FRONT_UPLOADED',
  'DOCUMENT_BACK_UPLOADED',
  'DOCUMENT_SELFIE_UPLOADED',
  'DOCUMENTS_UPLOADED',
  'VERIFICATION_COMPLETED',
  'SESSION_COMPLETE',
  'SESSION_EXPIRED',
  'CONSENT_DECLINED',
  'DOCUMENTS_UPLOAD_FAILED',
] as const;

export type DocvEventType = (typeof DOCV_EVENT_TYPES)[number];

/** Socure's `event.message` text for each event type. */
export const DOCV_EVENT_MESSAGES: Readonly<Record<DocvEventType, string>> = Object.freeze({
  WAITING_FOR_USER_TO_REDIRECT: 'Process Initiated',
  APP_OPENED: 'Capture App Opened',
  DOCUMENT_FRONT_UPLOADED: 'Document Front Uploaded',
  DOCUMENT_BACK_UPLOADED: 'Document Back Uploaded',
  DOCUMENT_SELFIE_UPLOADED: 'Document Selfie Uploaded',
  DOCUMENTS_UPLOADED: 'Documents Upload Successful',
  VERIFICATION_COMPLETED: 'Verification Completed',
  SESSION_COMPLETE: 'Session Complete',
  SESSION_EXPIRED: 'Session Expired',
  CONSENT_DECLINED: 'Consent Declined',
  DOCUMENTS_UPLOAD_FAILED: 'Documents Upload Failed',
});

const DOCV_EVENT_TYPE_SET: ReadonlySet<string> = new Set(DOCV_EVENT_TYPES);

export function isDocvEventType(value: unknown): value is DocvEventType {
  return typeof value === 'string' && DOCV_EVENT_TYPE_SET.has(value);
}

/** `customerUserId` is echoed as sent: a string, or a number when the caller sent one. */
export const customerUserIdSchema = z.union([z.string(), z.number()]);

/** Fields every event may carry. `docVTransactionToken` is a casing seen in the wild. */
const commonEventFields = {
  referenceId: z.string().optional(),
  docvTransactionToken: z.string().optional(),
  docVTransactionToken: z.string().optional(),
  customerUserId: customerUserIdSchema.optional(),
  eventId: z.string().optional(),
  message: z.string().optional(),
  created: z.string().optional(),
};

/** `data` of events whose data Socure does not document. */
const genericDataSchema = z.looseObject({
  referenceId: z.string().optional(),
  docvTransactionToken: z.string().optional(),
  docVTransactionToken: z.string().optional(),
});

const documentsUploadedDataSchema = genericDataSchema.extend({
  /** The uploaded document set; the legacy ID+ `documentUuid`. */
  uuid: z.string().optional(),
});

/**
 * A delivery is input, so a decision value we do not list yet is kept rather than refused (Socure would
 * retry a refused delivery forever). Flows fetch the authoritative, strictly checked result through ID+.
 */
const webhookDocumentVerificationSchema = documentVerificationSchema.extend({
  decision: z.looseObject({ name: z.string().optional(), value: z.string() }).optional(),
});

const verificationCompletedDataSchema = genericDataSchema.extend({
  documentVerification: webhookDocumentVerificationSchema.optional(),
});

function eventSchema<T extends DocvEventType, D extends z.ZodType>(eventType: T, data: D) {
  return z.looseObject({ eventType: z.literal(eventType), ...commonEventFields, data: data.nullish() });
}

export const waitingForUserToRedirectEventSchema = eventSchema(
  'WAITING_FOR_USER_TO_REDIRECT',
  genericDataSchema,
);
export const appOpenedEventSchema = eventSchema('APP_OPENED', genericDataSchema);
export const documentFrontUploadedEventSchema = eventSchema('DOCUMENT_FRONT_UPLOADED', genericDataSchema);
export const documentBackUploadedEventSchema = eventSchema('DOCUMENT_BACK_UPLOADED', genericDataSchema);
export const documentSelfieUploadedEventSchema = eventSchema('DOCUMENT_SELFIE_UPLOADED', genericDataSchema);
export const documentsUploadedEventSchema = eventSchema('DOCUMENTS_UPLOADED', documentsUploadedDataSchema);
export const verificationCompletedEventSchema = eventSchema(
  'VERIFICATION_COMPLETED',
  verificationCompletedDataSchema,
);
export const sessionCompleteEventSchema = eventSchema('SESSION_COMPLETE', genericDataSchema);
export const sessionExpiredEventSchema = eventSchema('SESSION_EXPIRED', genericDataSchema);
export const consentDeclinedEventSchema = eventSchema('CONSENT_DECLINED', genericDataSchema);
export const documentsUploadFailedEventSchema = eventSchema('DOCUMENTS_UPLOAD_FAILED', genericDataSchema);

/** One schema per known event type. */
export const DOCV_EVENT_SCHEMAS = {
  WAITING_FOR_USER_TO_REDIRECT: waitingForUserToRedirectEventSchema,
  APP_OPENED: appOpenedEventSchema,
  DOCUMENT_FRONT_UPLOADED: documentFrontUploadedEventSchema,
  DOCUMENT_BACK_UPLOADED: documentBackUploadedEventSchema,
  DOCUMENT_SELFIE_UPLOADED: documentSelfieUploadedEventSchema,
  DOCUMENTS_UPLOADED: documentsUploadedEventSchema,
  VERIFICATION_COMPLETED: verificationCompletedEventSchema,
  SESSION_COMPLETE: sessionCompleteEventSchema,
  SESSION_EXPIRED: sessionExpiredEventSchema,
  CONSENT_DECLINED: consentDeclinedEventSchema,
  DOCUMENTS_UPLOAD_FAILED: documentsUploadFailedEventSchema,
} as const satisfies Record<DocvEventType, z.ZodType>;

/** The typed union of every known DocV event, discriminated by `eventType`. */
export const docvEventSchema = z.discriminatedUnion('eventType', [
  waitingForUserToRedirectEventSchema,
  appOpenedEventSchema,
  documentFrontUploadedEventSchema,
  documentBackUploadedEventSchema,
  documentSelfieUploadedEventSchema,
  documentsUploadedEventSchema,
  verificationCompletedEventSchema,
  sessionCompleteEventSchema,
  sessionExpiredEventSchema,
  consentDeclinedEventSchema,
  documentsUploadFailedEventSchema,
]);

/** An event type this version does not know: accepted for forward compatibility, untyped beyond `eventType`. */
export const unknownDocvEventSchema = z.looseObject({ eventType: z.string().min(1) });

/** The delivery envelope (`event` is one of the events above). */
export const docvWebhookPayloadSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]),
  origId: z.string().optional(),
  eventGroup: z.string().optional(),
  reason: z.string().optional(),
  environmentName: z.string().optional(),
  event: z.union([docvEventSchema, unknownDocvEventSchema]),
});

export type DocvEvent = z.infer<typeof docvEventSchema>;
export type DocvEventOf<T extends DocvEventType> = Extract<DocvEvent, { eventType: T }>;
export type UnknownDocvEvent = z.infer<typeof unknownDocvEventSchema>;
export type DocvWebhookPayload = z.infer<typeof docvWebhookPayloadSchema>;
export type DocumentsUploadedEvent = DocvEventOf<'DOCUMENTS_UPLOADED'>;
export type VerificationCompletedEvent = DocvEventOf<'VERIFICATION_COMPLETED'>;
