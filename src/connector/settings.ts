import { z } from 'zod';
import { SOCURE_ENVIRONMENTS } from '../socure/index.js';
import { type ConnectorConfig, connectorConfigSchema } from './config.js';

/** One setting, readable from an environment variable or a CLI flag; errors name whichever was used. */
interface SettingSpec {
  key: keyof ConnectorConfig;
  env: string;
  flag: string;
  secret?: boolean;
  parse: z.ZodType<unknown, string>;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const SETTINGS: SettingSpec[] = [
  {
    key: 'idPlusKey',
    env: 'SOCURE_ID_PLUS_KEY',
    flag: '--id-plus-key',
    secret: true,
    parse: z.string().trim().min(1, 'must not be empty'),
  },
  {
    key: 'sdkKey',
    env: 'SOCURE_SDK_KEY',
    flag: '--sdk-key',
    parse: z.string().trim().min(1, 'must not be empty'),
  },
  {
    key: 'environment',
    env: 'SOCURE_ENVIRONMENT',
    flag: '--environment',
    parse: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(SOCURE_ENVIRONMENTS, { error: `must be one of ${SOCURE_ENVIRONMENTS.join(', ')}` })),
  },
  { key: 'apiUrl', env: 'SOCURE_API_URL', flag: '--api-url', parse: z.string().trim() },
  {
    key: 'webhookUrl',
    env: 'SOCURE_WEBHOOK_URL',
    flag: '--webhook-url',
    parse: z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
      .transform((v) => v.replace(/\/+$/, '')),
  },
  {
    key: 'riskOsKey',
    env: 'SOCURE_RISKOS_KEY',
    flag: '--riskos-key',
    secret: true,
    parse: z.string().trim().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain spaces'),
  },
  {
    key: 'riskOsUrl',
    env: 'SOCURE_RISKOS_URL',
    flag: '--riskos-url',
    parse: z.string().trim(),
  },
  {
    key: 'riskOsApiVersion',
    env: 'SOCURE_RISKOS_API_VERSION',
    flag: '--riskos-api-version',
    parse: z
      .string()
      .trim()
      .regex(/^[\w.-]{1,50}$/, 'expected a version such as 2025-01-01.orion'),
  },
  { key: 'timeoutMs', env: 'SOCURE_TIMEOUT_MS', flag: '--timeout-ms', parse: int(1, 600_000) },
  { key: 'maxRetries', env: 'SOCURE_MAX_RETRIES', flag: '--max-retries', parse: int(0, 10) },
];

/** A setting that is missing or wrong; `setting` is the variable or flag name. Never holds a key's value. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`${setting} ${reason}`);
    this.name = 'SettingsError';
  }
}

export type FlagValues = Partial<Record<keyof ConnectorConfig, string | undefined>>;

/**
 * Reads and checks each connector setting that is given (a flag wins over its environment variable), without
 * requiring the ID+ key: the service checks them with no key too, so a misspelt SOCURE_ENVIRONMENT fails at start
 * even on the embedded sandbox. Errors name the variable or flag the value came from; secrets are never echoed.
 */
export function readConnectorSettings(
  env: NodeJS.ProcessEnv,
  flags: FlagValues = {},
): { raw: Record<string, unknown>; sourceOf: Record<string, string> } {
  const raw: Record<string, unknown> = {};
  const sourceOf: Record<string, string> = {};
  for (const spec of SETTINGS) {
    // An empty flag counts as not given, so it does not hide the environment variable.
    const fromFlag = flags[spec.key] || undefined;
    const value = fromFlag ?? env[spec.env];
    if (value === undefined || value === '') continue;
    const source = fromFlag !== undefined ? spec.flag : spec.env;
    const parsed = spec.parse.safeParse(value);
    if (!parsed.success) {
      const shown = spec.secret ? '' : ` (got ${JSON.stringify(value)})`;
      throw new SettingsError(source, `${parsed.error.issues[0]!.message}${shown}`);
    }
    raw[spec.key] = parsed.data;
    sourceOf[spec.key] = source;
  }
  return { raw, sourceOf };
}

/**
 * Reads the connector settings: a flag wins over its environment variable. Validates each value and
 * reports the flag or variable by name; secret values are never echoed. Needs the ID+ key, the RiskOS key or both.
 */
export function resolveConnectorSettings(env: NodeJS.ProcessEnv, flags: FlagValues = {}): ConnectorConfig {
  const { raw, sourceOf } = readConnectorSettings(env, flags);
  // Either key will do: a RiskOS-only deployment has no ID+ key (its ID+ / DocV calls are refused).
  if (raw.idPlusKey === undefined && raw.riskOsKey === undefined)
    throw new SettingsError(
      'SOCURE_ID_PLUS_KEY',
      'is required (or pass --id-plus-key) for ID+ and DocV; for RiskOS alone set SOCURE_RISKOS_KEY (or --riskos-key) instead',
    );
  // A RiskOS-only deployment calls no ID+ host, so certification's unpublished one is not needed then.
  if (raw.environment === 'certification' && raw.idPlusKey !== undefined && raw.apiUrl === undefined) {
    throw new SettingsError(
      'SOCURE_API_URL',
      'is required for the certification environment: Socure publishes no certification host',
    );
  }
  if (raw.environment === 'certification' && raw.riskOsKey !== undefined && raw.riskOsUrl === undefined) {
    throw new SettingsError(
      'SOCURE_RISKOS_URL',
      'is required with SOCURE_RISKOS_KEY in the certification environment: RiskOS publishes no certification host',
    );
  }
  const result = connectorConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0]);
    const spec = SETTINGS.find((s) => s.key === key);
    throw new SettingsError(sourceOf[key] ?? spec?.env ?? key, issue.message);
  }
  return result.data;
}
