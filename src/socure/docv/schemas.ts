import { z } from 'zod';
import { countryField, customerUserIdField, dobField, mobileNumberField, text } from '../fields.js';

export const DOCUMENT_TYPES = ['license', 'passport'] as const;

/** The person's data a DocV request may carry, to compare with the document (socure-api.md §5.1). */
const personFields = {
  customerUserId: customerUserIdField().optional(),
  previousReferenceId: text(36).optional(),
  mobileNumber: mobileNumberField().optional(),
  firstName: text().optional(),
  surName: text().optional(),
  dob: dobField().optional(),
  email: z.email('expected an e-mail address').optional(),
  physicalAddress: text().optional(),
  physicalAddress2: text().optional(),
  city: text().optional(),
  state: text(3).optional(),
  zip: text(10).optional(),
  country: countryField().optional(),
};

export const docvRequestSchema = z
  .strictObject({
    config: z
      .strictObject({
        useCaseKey: text().optional(),
        language: text(10).optional(),
        documentType: z.enum(DOCUMENT_TYPES).optional(),
        redirect: z
          .strictObject({
            method: z.enum(['GET', 'POST']).default('POST'),
            url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          })
          .optional(),
        sendMessage: z.boolean().optional(),
      })
      .optional(),
    ...personFields,
  })
  .refine((r) => !r.config?.sendMessage || r.mobileNumber !== undefined, {
    path: ['mobileNumber'],
    message: 'is required when config.sendMessage is true (Socure texts the link to it)',
  });
export type DocvRequest = z.input<typeof docvRequestSchema>;

/** Verification levels of the legacy v3 request (the seed's "Verification Level"). */
export const VERIFICATION_LEVELS = {
  1: 'Document upload only',
  2: 'Document upload and document verification',
  3: 'Document upload, document verification, and Phone RiskScore',
} as const;
export type VerificationLevel = 1 | 2 | 3;

export const legacyDocvRequestSchema = z
  .strictObject({
    verificationLevel: z.coerce
      .number()
      .pipe(z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' })),
    language: text(10).optional(),
    documentType: z.enum(DOCUMENT_TYPES).optional(),
    sendMessage: z.boolean().optional(),
    redirect: z.strictObject({ method: z.enum(['GET', 'POST']).default('POST'), url: z.url() }).optional(),
    ...personFields,
  })
  .refine((r) => r.verificationLevel !== 3 || r.mobileNumber !== undefined, {
    path: ['mobileNumber'],
    message: 'is required with verificationLevel 3 (Phone RiskScore)',
  })
  .refine((r) => !r.sendMessage || r.mobileNumber !== undefined, {
    path: ['mobileNumber'],
    message: 'is required when sendMessage is true',
  });
export type LegacyDocvRequest = z.input<typeof legacyDocvRequestSchema>;

/** `{referenceId, data:{eventId, customerUserId, docvTransactionToken, qrCode, url}}` (socure-api.md §5.1). */
export const docvResponseSchema = z.looseObject({
  referenceId: z.string().min(1),
  data: z.looseObject({
    eventId: z.string().optional(),
    customerUserId: z.union([z.string(), z.number()]).transform(String).optional(),
    docvTransactionToken: z.string().optional(),
    qrCode: z.string().optional(),
    url: z.url(),
    authToken: z.string().optional(),
  }),
});

export interface DocvTransaction {
  referenceId: string;
  eventId: string | undefined;
  customerUserId: string | undefined;
  /** v5: the token that correlates webhooks and fetches the result. v3 answers may not carry one. */
  docvTransactionToken: string | undefined;
  /** The capture-app link to open on a phone. */
  url: string;
  /** Socure's QR code (v5), or one drawn locally when Socure sent none (v3): a PNG data URL. For an SVG of the
   * link, `createQrCode(url)`. */
  qrCode: string;
}
