import { z } from 'zod';
import { documentVerification } from './capabilities/document-verification.js';
import { evaluate, getEvaluation } from './capabilities/evaluate.js';
import { getScore } from './capabilities/get-score.js';
import { getVerificationUrl } from './capabilities/get-verification-url.js';
import { makeCustomApiCall } from './capabilities/make-custom-api-call.js';
import { webhook } from './capabilities/wait-for-result.js';
import { type Capability, describeCapability } from './capability.js';
import { CONFIGURATION_PROPERTIES, connectorConfigSchema } from './config.js';

/** Every capability of the connector, by id. */
export const capabilities = {
  documentVerification,
  webhook,
  getScore,
  makeCustomApiCall,
  getVerificationUrl,
  evaluate,
  getEvaluation,
} satisfies Record<string, Capability>;

export type CapabilityId = keyof typeof capabilities;

/** The connector described as data: what a flow designer loads. */
export function buildManifest(version: string) {
  return {
    name: 'socure-connector',
    title: 'Socure',
    description: 'Verify identity documents and get ID+ fraud and KYC scores with Socure.',
    version,
    configuration: {
      properties: CONFIGURATION_PROPERTIES,
      schema: z.toJSONSchema(connectorConfigSchema, { io: 'input' }),
    },
    capabilities: Object.values(capabilities).map((c) => describeCapability(c as Capability)),
  };
}
