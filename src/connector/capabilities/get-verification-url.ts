import { z } from 'zod';
import type { DocvTransaction, SocureClient } from '../../socure/index.js';
import { defineCapability, parseCapabilityInput, requireIdPlus, withPropertyNames } from '../capability.js';
import {
  apiVersionField,
  apiVersionProperty,
  countryProperty,
  verificationLevelField,
  verificationLevelProperty,
} from './verification-level.js';

const optionalText = z.union([z.string(), z.number()]).transform(String).optional();

export const getVerificationUrlInput = z.object({
  apiVersion: apiVersionField,
  verificationLevel: verificationLevelField,
  customerUserId: optionalText,
  phoneNumber: z.string().optional(),
  country: z.string().optional(),
  documentType: z.enum(['license', 'passport']).optional(),
  language: z.string().optional(),
  useCaseKey: z.string().optional(),
  redirectUrl: z.string().optional(),
  sendMessage: z.boolean().optional(),
});

export const getVerificationUrlOutput = z.object({
  url: z.string(),
  /** PNG data URL. */
  qrcode: z.string(),
  docvTransactionToken: z.string().optional(),
  referenceId: z.string(),
  eventId: z.string().optional(),
  customerUserId: z.string().optional(),
});
export type GetVerificationUrlInput = z.input<typeof getVerificationUrlInput>;

/** Starts a DocV transaction the way the input asks (v5, or v3 with a verification level). */
export async function startDocvTransaction(
  client: SocureClient,
  input: GetVerificationUrlInput,
): Promise<DocvTransaction> {
  return withPropertyNames(PROPERTY_OF_FIELD, () =>
    start(client, parseCapabilityInput(getVerificationUrlInput, input)),
  );
}

/** DocV request field → this capability's property, for error messages. */
const PROPERTY_OF_FIELD: Record<string, string> = {
  mobileNumber: 'phoneNumber',
  'config.redirect.url': 'redirectUrl',
  'redirect.url': 'redirectUrl',
  'config.language': 'language',
  language: 'language',
  'config.documentType': 'documentType',
  'config.useCaseKey': 'useCaseKey',
  'config.sendMessage': 'sendMessage',
};

function start(client: SocureClient, i: z.output<typeof getVerificationUrlInput>): Promise<DocvTransaction> {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const person = {
    customerUserId: blank(i.customerUserId),
    mobileNumber: blank(i.phoneNumber),
    country: blank(i.country),
  };
  if (i.apiVersion === 'v3') {
    return client.docv.createLegacyTransaction({
      verificationLevel: i.verificationLevel,
      documentType: i.documentType,
      language: blank(i.language),
      sendMessage: i.sendMessage,
      redirect: blank(i.redirectUrl) ? { method: 'GET', url: i.redirectUrl!.trim() } : undefined,
      ...person,
    });
  }
  return client.docv.createTransaction({
    config: {
      useCaseKey: blank(i.useCaseKey),
      language: blank(i.language),
      documentType: i.documentType,
      sendMessage: i.sendMessage,
      redirect: blank(i.redirectUrl) ? { method: 'GET', url: i.redirectUrl!.trim() } : undefined,
    },
    // v5 has no verification level: level 3's Phone RiskScore needs the number, so it is passed along.
    ...person,
  });
}

export const getVerificationUrl = defineCapability({
  id: 'getVerificationUrl',
  title: 'Get a Document Verification URL and QR Code',
  description: 'Get a unique document verification URL and QR code based on a user identifier.',
  properties: [
    verificationLevelProperty,
    apiVersionProperty,
    {
      name: 'customerUserId',
      label: 'Customer User ID',
      controlType: 'textField',
      help: 'The unique identifier for the user, such as "123".',
    },
    {
      name: 'phoneNumber',
      label: 'Phone Number',
      controlType: 'textField',
      help: 'Used with Verification Level 3',
    },
    countryProperty,
    {
      name: 'documentType',
      label: 'Document Type',
      controlType: 'dropDown',
      help: 'Skip the type-selection screen',
      options: [
        { value: 'license', label: 'Driver license or ID card' },
        { value: 'passport', label: 'Passport' },
      ],
    },
    { name: 'language', label: 'Language', controlType: 'textField', help: 'e.g. en-us, es' },
    { name: 'useCaseKey', label: 'Use Case Key', controlType: 'textField', help: 'Capture App flow name' },
    {
      name: 'redirectUrl',
      label: 'Redirect URL',
      controlType: 'textField',
      help: 'Where the phone goes when done',
    },
  ],
  input: getVerificationUrlInput,
  output: getVerificationUrlOutput,
  async execute(input, { client }) {
    requireIdPlus(client);
    const t = await startDocvTransaction(client, input);
    return {
      url: t.url,
      qrcode: t.qrCode,
      docvTransactionToken: t.docvTransactionToken,
      referenceId: t.referenceId,
      eventId: t.eventId,
      customerUserId: t.customerUserId,
    };
  },
});
