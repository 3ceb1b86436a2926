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

/**
 * The configuration's JSON Schema. zod's refinement (the ID+ key, the RiskOS key or both) has no JSON Schema form of
 * its own: it is added as `anyOf`, so a designer validating the configuration refuses one with neither key.
 */
function configurationSchema() {
  return {
    ...z.toJSONSchema(connectorConfigSchema, { io: 'input' }),
    anyOf: ['idPlusKey', 'riskOsKey'].map((key) => ({ properties: { [key]: true }, required: [key] })),
  };
}

/** The connector described as data: what a flow designer loads. */
export function buildManifest(version: string) {
  return {
    name: 'socure-connector',
    title: 'Socure',
    description: 'Verify identity documents and get ID+ fraud and KYC scores with Socure.',
    version,
    configuration: {
      properties: CONFIGURATION_PROPERTIES,
      schema: configurationSchema(),
    },
    capabilities: Object.values(capabilities).map((c) => describeCapability(c as Capability)),
  };
}
