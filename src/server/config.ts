import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ConnectorConfig } from '../connector/config.js';
import {
  SETTINGS as CONNECTOR_SETTINGS,
  readConnectorSettings,
  resolveConnectorSettings,
  SettingsError,
} from '../connector/settings.js';
import { parseKeyRing } from '../crypto/key-ring.js';
import type { SqliteSynchronous } from '../store/sqlite-store.js';
import { brandColor, brandName, brandUrl } from './branding/settings.js';
import { type FrameAncestor, frameAncestorsSetting } from './embedding.js';
import { type TrustProxy, trustProxySetting } from './trust-proxy.js';

/** One service setting: environment variable, CLI flag, and key in the JSON config file. */
interface ServiceSettingSpec {
  key: keyof ServiceSettings;
  env: string;
  /** None for a secret that must not appear in a process list (argv). */
  flag?: string;
  parse: z.ZodType<unknown, string>;
}

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a port number')
  .transform(Number)
  .pipe(z.number().min(0).max(65535, 'must be at most 65535'));
const httpUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
  .transform((v) => v.replace(/\/+$/, ''));

/** A whole number of something, at least 1. */
const count = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number of ${what}`)
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1'));

/** Which flows the hosted pages offer to anyone: all, none, or these ids. */
export type PublicFlows = 'all' | 'none' | string[];

const publicFlows = z
  .string()
  .trim()
  .transform((v, ctx): PublicFlows => {
    const lower = v.toLowerCase();
    if (lower === 'all' || lower === 'none') return lower;
    const ids = [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    const bad = ids.find((id) => !/^[a-z][a-z0-9-]*$/.test(id));
    if (ids.length === 0 || bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be all, none or a comma-separated list of flow ids (e.g. docv-qr,idplus-score)',
      });
      return z.NEVER;
    }
    return ids;
  });

const SPECS: ServiceSettingSpec[] = [
  { key: 'port', env: 'PORT', flag: '--port', parse: port },
  { key: 'host', env: 'HOST', flag: '--host', parse: z.string().trim().min(1) },
  { key: 'publicUrl', env: 'PUBLIC_URL', flag: '--public-url', parse: httpUrl },
  { key: 'databaseUrl', env: 'DATABASE_URL', flag: '--database-url', parse: z.string().trim().min(1) },
  {
    key: 'databasePoolSize',
    env: 'DATABASE_POOL_SIZE',
    flag: '--database-pool-size',
    parse: z
      .string()
      .trim()
      .regex(/^\d+$/, 'must be a whole number of connections')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(1000, 'must be at most 1000')),
  },
  {
    key: 'sqliteSynchronous',
    env: 'SQLITE_SYNCHRONOUS',
    flag: '--sqlite-synchronous',
    parse: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(
        z.enum(['full', 'normal'], {
          error:
            'must be full or normal (full, the default, keeps acknowledged writes through a power failure)',
        }),
      ),
  },
  { key: 'flowsDir', env: 'FLOWS_DIR', flag: '--flows-dir', parse: z.string().trim().min(1) },
  { key: 'publicFlows', env: 'PUBLIC_FLOWS', flag: '--public-flows', parse: publicFlows },
  {
    key: 'apiKey',
    env: 'CONNECTOR_API_KEY',
    flag: '--api-key',
    parse: z.string().trim().min(16, 'must be at least 16 characters'),
  },
  {
    key: 'webhookSecrets',
    env: 'SOCURE_WEBHOOK_SECRET',
    flag: '--webhook-secret',
    parse: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^\S+$/, 'must not contain spaces')).min(1, 'must not be empty')),
  },
  { key: 'appWebhookUrl', env: 'APP_WEBHOOK_URL', flag: '--app-webhook-url', parse: httpUrl },
  {
    key: 'appWebhookSecret',
    env: 'APP_WEBHOOK_SECRET',
    flag: '--app-webhook-secret',
    parse: z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be a Standard Webhooks secret: whsec_<base64, ≥ 18 bytes>'),
  },
  { key: 'sandboxPort', env: 'SANDBOX_PORT', flag: '--sandbox-port', parse: port },
  {
    key: 'sandboxAdminToken',
    env: 'SANDBOX_ADMIN_TOKEN',
    flag: '--sandbox-admin-token',
    parse: z
      .string()
      .trim()
      .min(16, 'must be at least 16 characters')
      .regex(/^\S+$/, 'must not contain spaces'),
  },
  {
    key: 'metricsToken',
    env: 'METRICS_TOKEN',
    flag: '--metrics-token',
    parse: z
      .string()
      .trim()
      .min(16, 'must be at least 16 characters')
      .regex(/^\S+$/, 'must not contain spaces'),
  },
  { key: 'brandName', env: 'BRAND_NAME', flag: '--brand-name', parse: brandName },
  { key: 'brandLogoUrl', env: 'BRAND_LOGO_URL', flag: '--brand-logo-url', parse: brandUrl },
  {
    key: 'brandLogoFile',
    env: 'BRAND_LOGO_FILE',
    flag: '--brand-logo-file',
    parse: z.string().trim().min(1),
  },
  { key: 'brandPrimaryColor', env: 'BRAND_PRIMARY_COLOR', flag: '--brand-primary-color', parse: brandColor },
  { key: 'brandStylesheetUrl', env: 'BRAND_STYLESHEET_URL', flag: '--brand-stylesheet-url', parse: brandUrl },
  { key: 'frameAncestors', env: 'FRAME_ANCESTORS', flag: '--frame-ancestors', parse: frameAncestorsSetting },
  {
    key: 'deviceScriptUrl',
    env: 'SOCURE_DEVICE_SCRIPT_URL',
    flag: '--device-script-url',
    parse: z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https$/, error: 'must be an https URL (Socure’s Sigma Device script)' })),
  },
  {
    // No flag: a secret must not appear in a process list.
    key: 'operatorApiKey',
    env: 'OPERATOR_API_KEY',
    parse: z
      .string()
      .trim()
      .min(16, 'must be at least 16 characters')
      .regex(/^\S+$/, 'must not contain spaces'),
  },
  {
    key: 'consoleAllowRemote',
    env: 'CONSOLE_ALLOW_REMOTE',
    flag: '--console-allow-remote',
    parse: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
      .transform((v) => v === 'true'),
  },
  {
    key: 'trustProxy',
    env: 'TRUST_PROXY',
    flag: '--trust-proxy',
    parse: trustProxySetting,
  },
  {
    key: 'rateLimitPagesPerMinute',
    env: 'RATE_LIMIT_PAGES_PER_MINUTE',
    flag: '--rate-limit-pages-per-minute',
    parse: count('requests per minute'),
  },
  {
    key: 'rateLimitApiPerMinute',
    env: 'RATE_LIMIT_API_PER_MINUTE',
    flag: '--rate-limit-api-per-minute',
    parse: count('requests per minute'),
  },
  {
    key: 'rateLimitWebhookPerMinute',
    env: 'RATE_LIMIT_WEBHOOK_PER_MINUTE',
    flag: '--rate-limit-webhook-per-minute',
    parse: count('requests per minute'),
  },
  {
    key: 'sseMaxPerClient',
    env: 'SSE_MAX_PER_CLIENT',
    flag: '--sse-max-per-client',
    parse: count('streams'),
  },
  { key: 'sseMaxStreams', env: 'SSE_MAX_STREAMS', flag: '--sse-max-streams', parse: count('streams') },
  {
    key: 'dataEncryptionKeys',
    env: 'DATA_ENCRYPTION_KEYS',
    // Checked here so a malformed ring fails at start with the setting's name; parsed again by the store.
    parse: z.string().superRefine((value, ctx) => {
      try {
        parseKeyRing(value);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: (err as Error).message.replace(/^DATA_ENCRYPTION_KEYS /, ''),
        });
      }
    }),
  },
  {
    key: 'retentionDays',
    env: 'RETENTION_DAYS',
    flag: '--retention-days',
    parse: count('days'),
  },
  {
    key: 'inboxRetentionHours',
    env: 'INBOX_RETENTION_HOURS',
    flag: '--inbox-retention-hours',
    parse: count('hours'),
  },
  {
    key: 'instanceId',
    env: 'INSTANCE_ID',
    flag: '--instance-id',
    parse: z
      .string()
      .trim()
      .regex(/^[\w.:-]{1,100}$/, 'must be 1–100 letters, digits, ".", ":", "_" or "-"'),
  },
];

export interface ServiceSettings {
  port: number;
  host: string;
  /** The address phones and Socure reach; links and the webhook URL are built on it. */
  publicUrl: string;
  databaseUrl: string;
  /** PostgreSQL connections per instance (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  /** SQLite's `synchronous` pragma (SQLITE_SYNCHRONOUS), default `full`; ignored on PostgreSQL. */
  sqliteSynchronous?: SqliteSynchronous;
  /** FLOWS_DIR: flows loaded after the shipped ones (a new id adds, a shipped id replaces); default the shipped dir. */
  flowsDir: string;
  /**
   * Flows anyone may start from the hosted pages (`/`, `/flows/<id>`) (PUBLIC_FLOWS): `all`, `none` or a list of
   * ids. Unset: `all` on the embedded sandbox, `none` with a real Socure key (sessions then start only through
   * the sessions API). The sessions API starts any flow.
   */
  publicFlows?: PublicFlows;
  /** Where PUBLIC_FLOWS came from (variable, flag or config file), to name it when it lists an unknown flow. */
  publicFlowsSource?: string;
  /**
   * The public URL of this service's Socure webhook, when a proxy rewrites paths (SOCURE_WEBHOOK_URL): printed
   * at start instead of the computed one. The embedded sandbox still posts to the local URL.
   */
  webhookUrl?: string;
  /** Bearer key of the sessions API; generated and kept in the store when not set. */
  apiKey?: string;
  /** Secrets Socure sends in the webhook Authorization header (several for rotation). */
  webhookSecrets?: string[];
  appWebhookUrl?: string;
  appWebhookSecret?: string;
  sandboxPort: number;
  /**
   * Lets remote clients into the embedded sandbox's admin with `Authorization: Bearer <token>`; without it the
   * admin answers loopback clients only (SANDBOX_ADMIN_TOKEN).
   */
  sandboxAdminToken?: string;
  /** Bearer token GET /metrics requires from any client (METRICS_TOKEN); unset: loopback clients only. */
  metricsToken?: string;
  /**
   * Origins allowed to frame the hosted pages and to receive the end page's notice (FRAME_ANCESTORS; `'self'`
   * allowed, `*` refused). Unset or empty: no framing at all.
   */
  frameAncestors?: FrameAncestor[];
  /**
   * Socure's Sigma Device script, for screens with `deviceSession` (SOCURE_DEVICE_SCRIPT_URL). Its address is
   * not public knowledge, so there is no default with a real key; the embedded sandbox serves a stand-in.
   */
  deviceScriptUrl?: string;
  /** Behind reverse proxies: which X-Forwarded-For entries give the client IP (rate limits). */
  trustProxy: TrustProxy;
  /** The pages' brand (BRAND_NAME, BRAND_LOGO_URL or BRAND_LOGO_FILE, BRAND_PRIMARY_COLOR, BRAND_STYLESHEET_URL). */
  brandName?: string;
  brandLogoUrl?: string;
  brandLogoFile?: string;
  brandPrimaryColor?: string;
  brandStylesheetUrl?: string;
  /** Requests per minute per client IP on the sessions API with a valid key (default 6000). */
  /** The operator console's key (OPERATOR_API_KEY); unset: the sessions API key. */
  operatorApiKey?: string;
  /** Whether the operator console answers clients off the loopback interface (CONSOLE_ALLOW_REMOTE). Default false. */
  consoleAllowRemote?: boolean;
  /** Requests per minute per client IP on pages and anonymous calls (RATE_LIMIT_PAGES_PER_MINUTE). Default 600. */
  rateLimitPagesPerMinute?: number;
  /** Per client IP on the sessions API with a valid key (RATE_LIMIT_API_PER_MINUTE). Default 6000. */
  rateLimitApiPerMinute?: number;
  /**
   * Per client IP on Socure's webhook for deliveries that are not authenticated (RATE_LIMIT_WEBHOOK_PER_MINUTE).
   * Authenticated deliveries are never limited: Socure sends from a few addresses. Default 6000.
   */
  rateLimitWebhookPerMinute?: number;
  /** Open event streams (waiting pages) per client IP (default 20) and in all (default 10,000). */
  sseMaxPerClient?: number;
  sseMaxStreams?: number;
  /**
   * This instance's name in session leases, unique among live instances and stable across its restarts, so a
   * restarted instance resumes at once what it left mid-step. Default: host name and port.
   */
  instanceId?: string;
  /**
   * The key ring sealing personal data (DATA_ENCRYPTION_KEYS, `id:base64`, comma-separated, the first encrypts).
   * Unset: a key file beside the SQLite database; PostgreSQL refuses to start.
   */
  dataEncryptionKeys?: string;
  /** Days personal data of ended sessions, deliveries and callbacks is kept (RETENTION_DAYS). Default 30. */
  retentionDays: number;
  /** Hours a delivery no session consumed is kept (INBOX_RETENTION_HOURS). Default 72. */
  inboxRetentionHours: number;
  /** The connector settings, or undefined to run against the embedded sandbox. */
  connector?: ConnectorConfig;
}

export const DEFAULT_FLOWS_DIR = fileURLToPath(new URL('../../flows', import.meta.url));

export type ServiceFlags = Partial<Record<keyof ServiceSettings | 'config', string>> &
  Record<string, unknown>;

function readConfigFile(path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SettingsError(`--config ${path}`, `cannot be read as JSON (${reason})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new SettingsError(`--config ${path}`, 'must hold a JSON object');
  }
  return json as Record<string, unknown>;
}

/**
 * Service settings from (lowest to highest) defaults, a JSON config file (`--config` / CONFIG_FILE, keys
 * named like the environment variables), environment variables and flags. Errors name the setting.
 */
export function resolveServiceSettings(env: NodeJS.ProcessEnv, flags: ServiceFlags = {}): ServiceSettings {
  const file = flags.config ?? env.CONFIG_FILE;
  const fromFile = file ? readConfigFile(file) : {};
  const merged: NodeJS.ProcessEnv = {};
  const known = new Set([...SPECS.map((s) => s.env), ...CONNECTOR_SETTINGS.map((s) => s.env)]);
  for (const [k, v] of Object.entries(fromFile)) {
    if (k === '$schema') continue;
    // A misspelt key would otherwise be ignored without a word and its default used instead.
    if (!known.has(k))
      throw new SettingsError(`${file}: ${k}`, `is not a setting (known: ${[...known].join(', ')})`);
    if (v === null || typeof v === 'object')
      throw new SettingsError(`${file}: ${k}`, 'must be a string or number');
    merged[k] = String(v);
  }
  // An empty variable (`PORT=`) counts as unset: it must not wipe the config file's value.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  const sourceOf = (spec: ServiceSettingSpec) =>
    typeof flags[spec.key] === 'string' && spec.flag
      ? spec.flag
      : env[spec.env]
        ? spec.env
        : `${file}: ${spec.env}`;

  const out: Record<string, unknown> = {};
  for (const spec of SPECS) {
    const fromFlag = spec.flag ? flags[spec.key] : undefined;
    const value = typeof fromFlag === 'string' ? fromFlag : merged[spec.env];
    if (value === undefined || value === '') continue;
    const parsed = spec.parse.safeParse(value);
    if (!parsed.success) {
      const source = sourceOf(spec);
      const secret =
        spec.key === 'apiKey' ||
        spec.key === 'webhookSecrets' ||
        spec.key === 'appWebhookSecret' ||
        spec.key === 'sandboxAdminToken' ||
        spec.key === 'metricsToken' ||
        spec.key === 'operatorApiKey' ||
        spec.key === 'dataEncryptionKeys';
      throw new SettingsError(
        source,
        `${parsed.error.issues[0]!.message}${secret ? '' : ` (got ${JSON.stringify(value)})`}`,
      );
    }
    out[spec.key] = parsed.data;
  }
  const portValue = (out.port as number | undefined) ?? 3000;
  const settings: ServiceSettings = {
    port: portValue,
    host: (out.host as string | undefined) ?? '127.0.0.1',
    publicUrl: (out.publicUrl as string | undefined) ?? `http://localhost:${portValue}`,
    databaseUrl: (out.databaseUrl as string | undefined) ?? 'sqlite:./data/socure-connector.db',
    databasePoolSize: (out.databasePoolSize as number | undefined) ?? 10,
    sqliteSynchronous: (out.sqliteSynchronous as SqliteSynchronous | undefined) ?? 'full',
    flowsDir: (out.flowsDir as string | undefined) ?? DEFAULT_FLOWS_DIR,
    apiKey: out.apiKey as string | undefined,
    operatorApiKey: out.operatorApiKey as string | undefined,
    consoleAllowRemote: (out.consoleAllowRemote as boolean | undefined) ?? false,
    webhookSecrets: out.webhookSecrets as string[] | undefined,
    appWebhookUrl: out.appWebhookUrl as string | undefined,
    appWebhookSecret: out.appWebhookSecret as string | undefined,
    sandboxPort: (out.sandboxPort as number | undefined) ?? 4010,
    sandboxAdminToken: out.sandboxAdminToken as string | undefined,
    metricsToken: out.metricsToken as string | undefined,
    trustProxy: (out.trustProxy as TrustProxy | undefined) ?? false,
    frameAncestors: out.frameAncestors as FrameAncestor[] | undefined,
    brandName: out.brandName as string | undefined,
    brandLogoUrl: out.brandLogoUrl as string | undefined,
    brandLogoFile: out.brandLogoFile as string | undefined,
    brandPrimaryColor: out.brandPrimaryColor as string | undefined,
    brandStylesheetUrl: out.brandStylesheetUrl as string | undefined,
    deviceScriptUrl: out.deviceScriptUrl as string | undefined,
    instanceId: out.instanceId as string | undefined,
    rateLimitPagesPerMinute: out.rateLimitPagesPerMinute as number | undefined,
    rateLimitApiPerMinute: out.rateLimitApiPerMinute as number | undefined,
    rateLimitWebhookPerMinute: out.rateLimitWebhookPerMinute as number | undefined,
    sseMaxPerClient: out.sseMaxPerClient as number | undefined,
    sseMaxStreams: out.sseMaxStreams as number | undefined,
    dataEncryptionKeys: out.dataEncryptionKeys as string | undefined,
    retentionDays: (out.retentionDays as number | undefined) ?? 30,
    inboxRetentionHours: (out.inboxRetentionHours as number | undefined) ?? 72,
  };
  // With neither the ID+ key nor the RiskOS key the service runs against the embedded sandbox; with either (or
  // both), against real Socure: a RiskOS-only deployment has no ID+ key, and its ID+ / DocV steps are refused.
  const connectorFlags = {
    idPlusKey: flags.idPlusKey as string | undefined,
    sdkKey: flags.sdkKey as string | undefined,
    environment: flags.environment as string | undefined,
    apiUrl: flags.apiUrl as string | undefined,
    riskOsKey: flags.riskOsKey as string | undefined,
    riskOsUrl: flags.riskOsUrl as string | undefined,
    riskOsApiVersion: flags.riskOsApiVersion as string | undefined,
    webhookUrl: flags.webhookUrl as string | undefined,
    timeoutMs: flags.timeoutMs as string | undefined,
    maxRetries: flags.maxRetries as string | undefined,
  };
  if (
    connectorFlags.idPlusKey ||
    merged.SOCURE_ID_PLUS_KEY ||
    connectorFlags.riskOsKey ||
    merged.SOCURE_RISKOS_KEY
  ) {
    settings.connector = resolveConnectorSettings(merged, connectorFlags);
    settings.webhookUrl = settings.connector.webhookUrl;
  } else {
    // Checked without a key too: a misspelt SOCURE_ENVIRONMENT must not wait for the day a key is set.
    settings.webhookUrl = readConnectorSettings(merged, connectorFlags).raw.webhookUrl as string | undefined;
  }
  if (out.publicFlows !== undefined) {
    settings.publicFlows = out.publicFlows as PublicFlows;
    settings.publicFlowsSource = sourceOf(SPECS.find((s) => s.key === 'publicFlows')!);
  }
  return settings;
}

export const SERVICE_SETTINGS = SPECS.map(({ key, env, flag }) => ({ key, env, flag }));
