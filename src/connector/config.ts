import { z } from 'zod';
import { parseBaseUrl } from '../socure/environments.js';
import { SOCURE_ENVIRONMENTS, type SocureClientOptions, type SocureEnvironment } from '../socure/index.js';

/** Why a configuration with neither key is refused; names both settings. */
export const NO_SOCURE_KEY =
  'is required: set SOCURE_ID_PLUS_KEY (ID+ and DocV) or SOCURE_RISKOS_KEY (RiskOS), or both';

/**
 * The connector configuration of the seed: ID+ key, SDK key, API URL (an environment or any URL) and
 * webhook URL. The same settings come from environment variables or CLI flags (see `settings.ts`). The ID+ key
 * may be left out when a RiskOS key is given (a RiskOS-only deployment: ID+ / DocV calls are then refused).
 */
export const connectorConfigSchema = z
  .object({
    idPlusKey: z.string().trim().min(1, 'the ID+ key must not be empty').optional(),
    sdkKey: z.string().trim().min(1).optional(),
    environment: z.enum(SOCURE_ENVIRONMENTS).default('sandbox'),
    /** Any base URL; wins over `environment` (certification needs it: its host is not public). */
    apiUrl: z
      .string()
      .refine(
        (v) => typeof parseBaseUrl(v) !== 'string',
        'must be an http(s) URL without credentials, query or fragment',
      )
      .optional(),
    /** The address Socure posts DocV events to (paste it into Socure's admin > Developer > Webhook). */
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** RiskOS's own API key (Bearer); enables `client.riskos` and the `evaluate` capability. */
    riskOsKey: z.string().trim().min(1).optional(),
    /** Any RiskOS base URL; default riskos.sandbox.socure.com / riskos.socure.com by `environment`. */
    riskOsUrl: z
      .string()
      .refine(
        (v) => typeof parseBaseUrl(v) !== 'string',
        'must be an http(s) URL without credentials, query or fragment',
      )
      .optional(),
    /** Sent as RiskOS's `X-API-Version`, e.g. 2025-01-01.orion. */
    riskOsApiVersion: z.string().trim().min(1).optional(),
    timeoutMs: z.number().int().positive().optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
  })
  .refine((c) => c.idPlusKey !== undefined || c.riskOsKey !== undefined, {
    path: ['idPlusKey'],
    message: `the ID+ key ${NO_SOCURE_KEY}`,
  });

export type ConnectorConfig = z.output<typeof connectorConfigSchema>;
export type ConnectorConfigInput = z.input<typeof connectorConfigSchema>;

export function clientOptionsFrom(config: ConnectorConfig): SocureClientOptions {
  return {
    idPlusKey: config.idPlusKey,
    environment: config.environment as SocureEnvironment,
    baseUrl: config.apiUrl,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    riskOs: config.riskOsKey
      ? {
          apiKey: config.riskOsKey,
          environment: config.environment as SocureEnvironment,
          baseUrl: config.riskOsUrl,
          apiVersion: config.riskOsApiVersion,
          maxRetries: config.maxRetries,
          // The ID+ timeout is tuned for one call; an evaluation runs several, so it keeps its own default.
        }
      : undefined,
  };
}

/** Labels of the configuration, as a flow designer shows them. */
export const CONFIGURATION_PROPERTIES = [
  {
    name: 'idPlusKey',
    label: 'ID+ Key',
    controlType: 'textField',
    secret: true,
    // Either key makes a valid configuration: the ID+ key for ID+ and DocV, the RiskOS key for RiskOS.
    required: false,
    help: 'Required for ID+ and DocV; may be left empty when a RiskOS API Key is given',
  },
  { name: 'sdkKey', label: 'SDK Key', controlType: 'textField', required: false },
  {
    name: 'environment',
    label: 'API URL',
    controlType: 'dropDown',
    required: true,
    default: 'sandbox',
    options: [
      { value: 'production', label: 'Production (https://service.socure.com)' },
      { value: 'certification', label: 'Certification (set a custom API URL)' },
      { value: 'sandbox', label: 'Sandbox (https://sandbox.socure.com)' },
    ],
  },
  { name: 'apiUrl', label: 'Custom API URL', controlType: 'textField', required: false },
  { name: 'webhookUrl', label: 'Webhook URL', controlType: 'textField', required: false },
  {
    name: 'riskOsKey',
    label: 'RiskOS API Key',
    controlType: 'textField',
    secret: true,
    required: false,
    help: 'Required for RiskOS evaluations; enough on its own for a RiskOS-only configuration',
  },
  { name: 'riskOsUrl', label: 'Custom RiskOS URL', controlType: 'textField', required: false },
  { name: 'riskOsApiVersion', label: 'RiskOS API Version', controlType: 'textField', required: false },
] as const;
