import { z } from 'zod';
import { parseDelivery, type SocureWebhookDelivery } from '../../webhooks/index.js';
import { defineCapability, parseCapabilityInput } from '../capability.js';

/** The seed's output schema of "Wait for the Document Verification Result", field for field. */
export const webhookOutput = z.object({
  rawResponse: z.object({
    id: z.string(),
    origId: z.string().optional(),
    eventGroup: z.string().optional(),
    reason: z.string().optional(),
    environmentName: z.string().optional(),
    event: z.object({
      eventType: z.string(),
      data: z
        .object({
          address: z.string().optional(),
          dob: z.string().optional(),
          documentNumber: z.string().optional(),
          expirationDate: z.string().optional(),
          firstName: z.string().optional(),
          surName: z.string().optional(),
          fullName: z.string().optional(),
          parsedAddress: z.record(z.string(), z.unknown()).optional(),
        })
        .optional(),
      referenceId: z.string().optional(),
      /** A number in the seed's schema; Socure echoes what was sent, so a string is kept as a string. */
      customerUserId: z.union([z.number(), z.string()]).optional(),
      message: z.string().optional(),
    }),
  }),
  /** Undefined for events other than DOCUMENTS_UPLOADED. */
  uuid: z.string().optional(),
  challenge: z.string().optional(),
  credentialStatusObject: z.object({
    detailStatus: z.string(),
    rawStatus: z.record(z.string(), z.unknown()),
    challenge: z.string().optional(),
    credId: z.string().optional(),
    userId: z.string().optional(),
  }),
});
export type WebhookOutput = z.infer<typeof webhookOutput>;

const DOCUMENT_FIELDS = [
  'address',
  'dob',
  'documentNumber',
  'expirationDate',
  'firstName',
  'surName',
  'fullName',
] as const;

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Maps a Socure delivery to the seed's output: document fields come from `data` itself (as in the seed's
 * example) or from `data.documentVerification.documentData` (VERIFICATION_COMPLETED).
 */
export function toWebhookOutput(
  delivery: SocureWebhookDelivery,
  context: { challenge?: string; userId?: string } = {},
): WebhookOutput {
  const raw = asRecord(delivery.raw);
  const event = asRecord(raw.event);
  const data = asRecord(event.data);
  const docData = { ...data, ...asRecord(asRecord(data.documentVerification).documentData) };
  const mapped: Record<string, unknown> = {};
  for (const f of DOCUMENT_FIELDS) if (typeof docData[f] === 'string') mapped[f] = docData[f];
  if (docData.parsedAddress && typeof docData.parsedAddress === 'object')
    mapped.parsedAddress = docData.parsedAddress;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const customerUserId = event.customerUserId;
  return webhookOutput.parse({
    rawResponse: {
      id: delivery.id,
      origId: str(raw.origId),
      eventGroup: str(raw.eventGroup),
      reason: str(raw.reason),
      environmentName: str(raw.environmentName),
      event: {
        eventType: delivery.eventType,
        data: Object.keys(mapped).length > 0 || event.data !== undefined ? mapped : undefined,
        referenceId: delivery.keys.referenceId,
        customerUserId:
          typeof customerUserId === 'number' || typeof customerUserId === 'string'
            ? customerUserId
            : undefined,
        message: str(event.message),
      },
    },
    uuid: delivery.eventType === 'DOCUMENTS_UPLOADED' ? str(data.uuid) : undefined,
    challenge: context.challenge,
    credentialStatusObject: {
      detailStatus: delivery.eventType,
      rawStatus: event,
      challenge: context.challenge,
      credId: delivery.keys.docvTransactionToken ?? delivery.keys.referenceId,
      userId: context.userId ?? delivery.keys.customerUserId,
    },
  });
}

export const waitForResultInput = z.object({
  /** The Socure webhook body as received (object or JSON text). */
  payload: z.union([z.string(), z.record(z.string(), z.unknown())]),
  challenge: z.string().optional(),
  userId: z.string().optional(),
});

export const webhook = defineCapability({
  id: 'webhook',
  title: 'Wait for the Document Verification Result',
  description:
    'Wait for Socure to send the result of a document verification check to the webhook URL. The waiting is done by a flow’s wait node; this maps the delivery that resolves it.',
  properties: [],
  input: waitForResultInput,
  output: webhookOutput,
  async execute(input) {
    const i = parseCapabilityInput(waitForResultInput, input);
    const body = typeof i.payload === 'string' ? i.payload : JSON.stringify(i.payload);
    return toWebhookOutput(parseDelivery(body), { challenge: i.challenge, userId: i.userId });
  },
});
