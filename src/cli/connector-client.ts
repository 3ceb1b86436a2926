import { clientOptionsFrom } from '../connector/config.js';
import { resolveConnectorSettings } from '../connector/settings.js';
import { SocureClient } from '../socure/client.js';
import type { ConnectorFlagValues } from './connector-flags.js';

/**
 * The Socure client the connector flags and SOCURE_* variables describe. Imported by the actions that call
 * Socure when they run, so other commands never load the client.
 */
export function clientFromFlags(
  opts: ConnectorFlagValues,
  env: NodeJS.ProcessEnv = process.env,
): SocureClient {
  // SOCURE_WEBHOOK_URL is the service's (`start`) setting: a client command has no webhook and ignores it.
  const { SOCURE_WEBHOOK_URL: _serviceOnly, ...clientEnv } = env;
  const config = resolveConnectorSettings(clientEnv, {
    idPlusKey: opts.idPlusKey,
    environment: opts.environment,
    apiUrl: opts.apiUrl,
    riskOsKey: opts.riskOsKey,
    riskOsUrl: opts.riskOsUrl,
    riskOsApiVersion: opts.riskOsApiVersion,
    timeoutMs: opts.timeoutMs,
    maxRetries: opts.maxRetries,
  });
  return new SocureClient(clientOptionsFrom(config));
}
