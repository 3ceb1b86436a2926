import { readConnectorSettings, SettingsError } from '../connector/settings.js';
import { RiskOsClient } from '../socure/riskos/client.js';
import type { ConnectorFlagValues } from './connector-flags.js';

/**
 * The RiskOS client the connector flags and SOCURE_* variables describe. Only the RiskOS key is required (an ID+
 * key is not: RiskOS runs the products inside its workflows).
 */
export function riskOsClientFromFlags(
  opts: ConnectorFlagValues,
  env: NodeJS.ProcessEnv = process.env,
): RiskOsClient {
  const { raw } = readConnectorSettings(env, {
    environment: opts.environment,
    riskOsKey: opts.riskOsKey,
    riskOsUrl: opts.riskOsUrl,
    riskOsApiVersion: opts.riskOsApiVersion,
    timeoutMs: opts.timeoutMs,
    maxRetries: opts.maxRetries,
  });
  if (raw.riskOsKey === undefined)
    throw new SettingsError('SOCURE_RISKOS_KEY', 'is required (or pass --riskos-key)');
  if (raw.environment === 'certification' && raw.riskOsUrl === undefined)
    throw new SettingsError('SOCURE_RISKOS_URL', 'is required for the certification environment');
  return new RiskOsClient({
    apiKey: raw.riskOsKey as string,
    environment: (raw.environment as 'sandbox' | 'production' | undefined) ?? 'sandbox',
    baseUrl: raw.riskOsUrl as string | undefined,
    apiVersion: raw.riskOsApiVersion as string | undefined,
    timeoutMs: raw.timeoutMs as number | undefined,
    maxRetries: raw.maxRetries as number | undefined,
  });
}
