import type { Command } from 'commander';

/** Adds the connector settings flags (each also read from its SOCURE_* variable). */
export function withConnectorFlags(cmd: Command): Command {
  return cmd
    .option('--id-plus-key <key>', 'ID+ key (env SOCURE_ID_PLUS_KEY)')
    .option('--environment <env>', 'sandbox | certification | production (env SOCURE_ENVIRONMENT)')
    .option(
      '--api-url <url>',
      'any base URL, e.g. the local sandbox http://127.0.0.1:4010 (env SOCURE_API_URL)',
    )
    .option('--riskos-key <key>', 'RiskOS API key, sent as Bearer (env SOCURE_RISKOS_KEY)')
    .option(
      '--riskos-url <url>',
      'any RiskOS base URL; default by --environment: riskos.sandbox.socure.com / riskos.socure.com (env SOCURE_RISKOS_URL)',
    )
    .option(
      '--riskos-api-version <version>',
      'RiskOS X-API-Version, e.g. 2025-01-01.orion (env SOCURE_RISKOS_API_VERSION)',
    )
    .option('--timeout-ms <ms>', 'per-attempt timeout, default 5000 (env SOCURE_TIMEOUT_MS)')
    .option('--max-retries <n>', 'retries after the first attempt, default 2 (env SOCURE_MAX_RETRIES)');
}

export interface ConnectorFlagValues {
  idPlusKey?: string;
  environment?: string;
  apiUrl?: string;
  riskOsKey?: string;
  riskOsUrl?: string;
  riskOsApiVersion?: string;
  timeoutMs?: string;
  maxRetries?: string;
}
