import { z } from 'zod';
import { normalizeMobileNumber, SocureInputError } from '../../socure/index.js';
import { defineCapability, parseCapabilityInput, requireIdPlus } from '../capability.js';
import { startDocvTransaction } from './get-verification-url.js';
import {
  apiVersionField,
  apiVersionProperty,
  countryProperty,
  verificationLevelField,
  verificationLevelProperty,
} from './verification-level.js';

/** The seed's default texts, kept verbatim (typo included) and overridable per flow. */
export const DEFAULT_SMS_SCREEN = {
  title: 'Socure Document Verification',
  bodyHeaderText: 'Receive you Document verification URL through SMS',
} as const;

const screen0Config = z
  .object({
    title: z.string().default(DEFAULT_SMS_SCREEN.title),
    bodyHeaderText: z.string().default(DEFAULT_SMS_SCREEN.bodyHeaderText),
  })
  .prefault({});

export const documentVerificationInput = z.discriminatedUnion('action', [
  /** Render the phone-number screen: returns its texts and the public SDK key. */
  z.object({ action: z.literal('screen'), screen0Config }),
  /** The person entered a phone number: start the DocV transaction and text them the link. */
  z.object({
    action: z.literal('registerInitiate'),
    screen0Config,
    apiVersion: apiVersionField,
    verificationLevel: verificationLevelField,
    country: z.string().optional(),
    customerUserId: z.string().optional(),
    registerInitiate: z.object({
      properties: z.object({ sdkKey: z.string().min(1, 'the SDK key is required') }).optional(),
      parameters: z.object({ phoneNumber: z.string().min(6, 'must be at least 6 characters') }),
    }),
  }),
  /** The phone finished: fetch the authoritative result for the transaction (credId = its token). */
  z.object({
    action: z.literal('registerComplete'),
    registerComplete: z.object({
      parameters: z.object({ referenceId: z.string().optional(), credId: z.string().min(1, 'is required') }),
    }),
  }),
]);

export const documentVerificationOutput = z.object({
  action: z.enum(['screen', 'registerInitiate', 'registerComplete']),
  screen: z
    .object({ title: z.string(), bodyHeaderText: z.string(), sdkKey: z.string().optional() })
    .optional(),
  referenceId: z.string().optional(),
  /** The DocV transaction token: the credential being registered. */
  credId: z.string().optional(),
  url: z.string().optional(),
  phoneNumber: z.string().optional(),
  decision: z.string().optional(),
  reasonCodes: z.array(z.string()).optional(),
});

export const documentVerification = defineCapability({
  id: 'documentVerification',
  title: 'Verify a Document',
  description:
    'Verify the authenticity of an identity document: asks for a phone number, texts it the capture link (Socure sends the SMS), and completes with the verification result.',
  properties: [
    {
      name: 'screen0Config.title',
      label: 'title',
      controlType: 'textField',
      default: DEFAULT_SMS_SCREEN.title,
    },
    {
      name: 'screen0Config.bodyHeaderText',
      label: 'bodyHeaderText',
      controlType: 'textField',
      default: DEFAULT_SMS_SCREEN.bodyHeaderText,
    },
    verificationLevelProperty,
    apiVersionProperty,
    countryProperty,
  ],
  input: documentVerificationInput,
  output: documentVerificationOutput,
  async execute(input, { client, config }) {
    const i = parseCapabilityInput(documentVerificationInput, input);
    if (i.action === 'screen') {
      return { action: 'screen' as const, screen: { ...i.screen0Config, sdkKey: config.sdkKey } };
    }
    requireIdPlus(client);
    if (i.action === 'registerInitiate') {
      const raw = i.registerInitiate.parameters.phoneNumber;
      const phoneNumber = normalizeMobileNumber(raw);
      if (!phoneNumber) {
        throw new SocureInputError(
          'registerInitiate.parameters.phoneNumber',
          'expected a phone number in E.164, e.g. +13475550100',
        );
      }
      const t = await startDocvTransaction(client, {
        apiVersion: i.apiVersion,
        verificationLevel: i.verificationLevel,
        country: i.country,
        customerUserId: i.customerUserId,
        phoneNumber,
        sendMessage: true,
      });
      return {
        action: 'registerInitiate' as const,
        screen: { ...i.screen0Config, sdkKey: i.registerInitiate.properties?.sdkKey ?? config.sdkKey },
        referenceId: t.referenceId,
        credId: t.docvTransactionToken ?? t.referenceId,
        url: t.url,
        phoneNumber,
      };
    }
    const { referenceId, credId } = i.registerComplete.parameters;
    const result = await client.docv.result(credId);
    return {
      action: 'registerComplete' as const,
      referenceId: referenceId ?? result.referenceId,
      credId,
      decision: result.documentVerification?.decision?.value,
      reasonCodes: result.documentVerification?.reasonCodes,
    };
  },
});
