import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Capability } from '../connector/capability.js';
import { type ConnectorConfig, clientOptionsFrom } from '../connector/config.js';
import { capabilities } from '../connector/manifest.js';
import { SettingsError } from '../connector/settings.js';
import { type KeySource, resolveKeyRing } from '../crypto/key-source.js';
import { FlowEngine } from '../flows/engine.js';
import { describeCustomFlow, loadFlowSet } from '../flows/loader.js';
import { localize } from '../flows/localized.js';
import { normalizeHost, type RunningSandbox, startSandbox } from '../sandbox/index.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import { parseBaseUrl, SOCURE_HOSTS } from '../socure/environments.js';
import { SocureClient } from '../socure/index.js';
import { describeDatabase, openStore, parseDatabaseUrl } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildServer } from './app.js';
import { AppWebhookDispatcher, generateAppWebhookSecret } from './app-webhooks.js';
import { loadBrand } from './branding/brand.js';
import type { ServiceSettings } from './config.js';
import { sessionPath } from './deps.js';
import { embeddingWarning } from './embedding.js';
import { frontEndScripts, mergeCsp } from './front-end-scripts.js';
import { Housekeeping } from './housekeeping.js';
import { createLogger, redactUrlsInText, withRedaction } from './logger.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { timedStore } from './metrics/store-timing.js';
import { Signer } from './signing.js';
import { describeProducts, productsOf, type SocureProducts } from './socure-products.js';

export interface RunningService {
  url: string;
  publicUrl: string;
  /** The URL to paste into Socure's admin (Developer > Webhook): SOCURE_WEBHOOK_URL when set, else computed. */
  webhookUrl: string;
  /** The Socure base URL the service calls (the embedded sandbox's public address, or the real host). */
  socureApiUrl: string;
  /**
   * The Socure products configured, each with the base URL it calls: ID+ and DocV with SOCURE_ID_PLUS_KEY, RiskOS
   * with SOCURE_RISKOS_KEY (both on the embedded sandbox). A product left out refuses its steps.
   */
  socureProducts: SocureProducts;
  apiKey: string;
  appWebhookSecret: string | undefined;
  /** The database, named without credentials (e.g. "PostgreSQL db.internal:5432/socure"). */
  database: string;
  /** Every loaded flow; `public` ones are listed on `/` and can be started from the hosted pages (PUBLIC_FLOWS). */
  flows: Array<{ id: string; title: string; url: string; public: boolean }>;
  /**
   * The embedded sandbox's addresses as a person uses them: `url` on the public address (not 0.0.0.0), `adminUrl`
   * where its loopback-only admin answers (127.0.0.1 when bound to every address).
   */
  sandboxUrls: { url: string; adminUrl: string } | undefined;
  /** Where the keys sealing personal data come from (a generated key file is named: back it up). */
  encryption: string;
  /** The operator console and the Prometheus metrics: where, and who may open them. */
  operatorUrls: { console: { url: string; access: string }; metrics: { url: string; access: string } };
  /** What an operator must fix before production (also logged at start). */
  warnings: string[];
  sandbox: RunningSandbox | undefined;
  engine: FlowEngine;
  store: Store;
  /** The Prometheus metrics GET /metrics serves (this instance's own registry). */
  metrics: ServiceMetrics;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface ServiceOptions {
  logger?: Logger;
  /** How often timeouts and stalled sessions are checked. Default 1000 ms. */
  tickMs?: number;
  appWebhookRetryBaseMs?: number;
  /** Backoff of durable step retries (tests shorten it; see EngineOptions.stepRetryBackoff). */
  stepRetryBackoff?: BackoffPolicy;
  /** Sandbox options when the embedded sandbox runs (tests speed up its webhook retries). */
  sandbox?: { deliveryRetryBaseMs?: number; transactionTtlMs?: number };
  /** The flow engine's clock (tests move it past a resend's interval). Default Date.now. */
  now?: () => number;
}

const randomToken = (bytes = 24) => randomBytes(bytes).toString('base64url');

/**
 * The product's main job: the flow service, its store and, with no Socure key configured, the embedded
 * sandbox wired to it (its webhook subscription points at this service) so everything works offline.
 */
export async function startService(
  settings: ServiceSettings,
  options: ServiceOptions = {},
): Promise<RunningService> {
  // An embedding app's own logger gets our redaction and URL serializers too: without them Fastify logs
  // full request URLs (session signatures, the webhook path secret).
  const log = withRedaction(options.logger ?? createLogger());
  const keys = resolveKeyRing(parseDatabaseUrl(settings.databaseUrl), settings.dataEncryptionKeys);
  // Every store call is timed for /metrics, and sessions started and ended are counted off its commits.
  const metrics = new ServiceMetrics();
  const opened = await openStore(settings.databaseUrl, {
    keyRing: keys.ring,
    poolSize: settings.databasePoolSize,
    sqliteSynchronous: settings.sqliteSynchronous,
    onListenError: (err) => log.warn({ error: err.message }, 'PostgreSQL change feed reconnecting'),
  });
  const store = timedStore(opened, metrics);
  metrics.readBacklogFrom(() => store.countBacklog());
  // Run in order on close. The store closes last: work still in flight (webhook retries, the sandbox,
  // the app webhook outbox) must not hit a closed store.
  const closers: Array<() => Promise<void> | void> = [() => store.close()];
  try {
    const signer = new Signer(await store.getOrCreateSetting('signing-secret', () => randomToken(32)));
    const webhookPath = await store.getOrCreateSetting('socure-webhook-path', () => randomToken(18));
    const apiKey =
      settings.apiKey ?? (await store.getOrCreateSetting('api-key', () => `sck_${randomToken(24)}`));

    let sandbox: RunningSandbox | undefined;
    let connector: ConnectorConfig;
    let webhookSecrets = settings.webhookSecrets ?? [];
    if (settings.connector) {
      connector = settings.connector;
    } else {
      // Offline: the embedded sandbox, with a webhook secret so its deliveries are authenticated.
      const secret = await store.getOrCreateSetting('sandbox-webhook-secret', () => randomToken(24));
      webhookSecrets = [secret, ...webhookSecrets];
      const sandboxPublic = new URL(settings.publicUrl);
      sandboxPublic.port = String(settings.sandboxPort);
      sandbox = await startSandbox({
        port: settings.sandboxPort,
        host: settings.host,
        publicUrl: settings.sandboxPort === 0 ? undefined : sandboxPublic.origin,
        // Its admin answers loopback clients only, even with HOST=0.0.0.0, unless this token is configured.
        adminToken: settings.sandboxAdminToken,
        // Our pages launch its stand-in Web SDK and device collector: their host is on its IPs & Domains allowlist.
        allowlist: [new URL(settings.publicUrl).hostname].filter((h) => normalizeHost(h) !== undefined),
        ...options.sandbox,
        // Its delivery lines name our webhook URL, whose path is a secret.
        log: (line) => log.info({ sandbox: true }, redactUrlsInText(line)),
      });
      closers.unshift(() => sandbox!.close());
      connector = {
        idPlusKey: sandbox.keys.sandbox.idPlusKey,
        sdkKey: sandbox.keys.sandbox.sdkKey,
        environment: 'sandbox',
        apiUrl: sandbox.url,
        riskOsKey: sandbox.keys.sandbox.riskOsKey,
        riskOsUrl: sandbox.url,
      };
    }
    const client = new SocureClient({ ...clientOptionsFrom(connector), onCall: metrics.socureCall });
    closers.unshift(() => client.close());

    // FLOWS_DIR adds to the shipped flows; the same id replaces one. Each is named at start.
    const loaded = await loadFlowSet(settings.flowsDir, new Set(Object.keys(capabilities)));
    for (const custom of loaded.custom)
      log.info({ flow: custom.id, file: custom.file }, describeCustomFlow(custom));
    const flows = loaded.flows;
    // Unset: every flow on the offline sandbox's demo; none with a real key (each session may be billed).
    const publicFlows = settings.publicFlows ?? (sandbox ? 'all' : 'none');
    if (Array.isArray(publicFlows)) {
      const unknown = publicFlows.filter((id) => !flows.has(id));
      if (unknown.length > 0)
        throw new SettingsError(
          settings.publicFlowsSource ?? 'PUBLIC_FLOWS',
          `names ${unknown.length === 1 ? 'an unknown flow' : 'unknown flows'}: ${unknown.join(', ')} (flows: ${[...flows.keys()].join(', ')})`,
        );
    }
    const isPublicFlow = (id: string) =>
      publicFlows === 'all' || (Array.isArray(publicFlows) && publicFlows.includes(id));
    const appWebhookSecret = settings.appWebhookUrl
      ? (settings.appWebhookSecret ??
        (await store.getOrCreateSetting('app-webhook-secret', generateAppWebhookSecret)))
      : undefined;
    const dispatcher =
      settings.appWebhookUrl && appWebhookSecret
        ? new AppWebhookDispatcher({
            store,
            url: settings.appWebhookUrl,
            secret: appWebhookSecret,
            retryBaseMs: options.appWebhookRetryBaseMs,
            log,
            onAttempt: metrics.callbackAttempt,
          })
        : undefined;
    const engine = new FlowEngine({
      store,
      flows,
      capabilities: capabilities as unknown as Record<string, Capability>,
      context: { client, config: connector },
      completionCallback: dispatcher,
      log,
      onWaitResolved: metrics.waitResolved,
      stepRetryBackoff: options.stepRetryBackoff,
      now: options.now,
      // The shipped flows' stock persona pre-fills forms only on the embedded sandbox.
      demoDefaults: sandbox !== undefined,
      // A fixed port names the same instance after a restart (a random port cannot).
      instanceId: settings.instanceId ?? (settings.port ? `${hostname()}:${settings.port}` : undefined),
    });

    const branding = loadBrand(settings);
    // Socure's front-end scripts (DocV Web SDK, Sigma Device) with the public SDK key: the sandbox's stand-ins offline.
    const frontEnd = frontEndScripts({
      sdkKey: connector.sdkKey,
      sandboxUrl: sandbox ? sandboxForBrowsers(sandbox, settings.host, settings.publicUrl) : undefined,
      deviceScriptUrl: settings.deviceScriptUrl,
    });
    const deps = {
      engine,
      store,
      signer,
      publicUrl: settings.publicUrl,
      webhookPath,
      webhookSecrets,
      apiKey,
      rateLimitPagesPerMinute: settings.rateLimitPagesPerMinute,
      rateLimitApiPerMinute: settings.rateLimitApiPerMinute,
      rateLimitWebhookPerMinute: settings.rateLimitWebhookPerMinute,
      sseMaxPerClient: settings.sseMaxPerClient,
      sseMaxStreams: settings.sseMaxStreams,
      trustProxy: settings.trustProxy,
      operatorApiKey: settings.operatorApiKey,
      consoleAllowRemote: settings.consoleAllowRemote,
      embeddedSandbox: sandbox !== undefined,
      isPublicFlow,
      warnings: [...branding.warnings],
      brand: branding.brand,
      brandAssets: branding.assets,
      // FRAME_ANCESTORS: who may frame the pages (CSP frame-ancestors; the browser cookie and the end page follow).
      csp: mergeCsp({ frameAncestors: settings.frameAncestors, ...branding.csp }, frontEnd.csp),
      frontEnd: frontEnd.scripts,
      metrics,
      metricsToken: settings.metricsToken,
    };
    const app = await buildServer(deps, log);
    closers.unshift(() => app.close());
    await app.listen({ port: settings.port, host: settings.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
    // A public URL naming port 0 means "wherever this server listens": fill in the bound port (keeping
    // host and path). The old check compared strings and dropped the host name or any base path.
    const pub = new URL(deps.publicUrl);
    if (pub.port === '0') pub.port = String(port);
    const publicUrl = pub.href.replace(/\/+$/, '');
    deps.publicUrl = publicUrl;
    // Behind a proxy that rewrites paths, SOCURE_WEBHOOK_URL is the address Socure must use; the embedded sandbox
    // runs beside us and keeps posting to the local URL.
    const webhookUrl = settings.webhookUrl ?? `${publicUrl}/webhooks/socure/${webhookPath}`;

    if (sandbox)
      await sandbox.addWebhook({
        url: `${url}/webhooks/socure/${webhookPath}`,
        secret: webhookSecrets[0],
        name: 'socure-connector',
      });
    // RiskOS posts its events to the same receiver (it recognises their envelope), with the secret as Bearer.
    if (sandbox)
      await sandbox.addWebhook({
        url: `${url}/webhooks/socure/${webhookPath}`,
        secret: webhookSecrets[0],
        name: 'socure-connector (RiskOS)',
        subscriptionType: 'RiskOS',
      });

    const warnings = deps.warnings; // also shown on /readyz
    const embedding = embeddingWarning(publicUrl, settings.frameAncestors);
    if (embedding) warnings.push(embedding);
    const encryption = describeKeys(keys);
    log.info(encryption);
    if (!sandbox && webhookSecrets.length === 0) {
      warnings.push(
        'No SOCURE_WEBHOOK_SECRET: Socure webhooks are accepted unauthenticated, so they only trigger a re-fetch of ' +
          'the result from Socure. Set the secret you give Socure’s webhook subscription.',
      );
    }
    const sandboxUrls = sandbox ? sandboxAddresses(sandbox, settings.host, publicUrl) : undefined;
    const socureApiUrl =
      sandboxUrls?.url ??
      (connector.apiUrl !== undefined
        ? String(parseBaseUrl(connector.apiUrl)).replace(/\/+$/, '')
        : SOCURE_HOSTS[connector.environment as keyof typeof SOCURE_HOSTS]);
    const socureProducts = productsOf(client, socureApiUrl, sandboxUrls?.url);
    log.info({ socureProducts }, `Socure products: ${describeProducts(socureProducts)}`);
    for (const warning of warnings) log.warn(warning);

    const housekeeping = new Housekeeping({
      store,
      retentionDays: settings.retentionDays,
      inboxRetentionHours: settings.inboxRetentionHours,
      owner: engine.instanceId,
      log,
    });
    const tick = async () => {
      await engine.tick();
      await housekeeping.tick();
    };
    // A restarted service first resumes what it (or a dead instance) left: due timeouts, steps whose runner's
    // lease expired, sessions past their time to live, deliveries nobody correlated.
    // Logged, not fatal: one session that cannot be resumed must not keep the service from starting.
    await tick().catch((err: unknown) => log.error({ err }, 'start-up sweep failed'));
    const tickMs = options.tickMs ?? 1000;
    const timer = setInterval(
      () => tick().catch((err: unknown) => log.error({ err }, 'tick failed')),
      tickMs,
    );
    timer.unref();
    closers.unshift(() => clearInterval(timer));
    if (dispatcher) {
      // Polled as often as the engine ticks, so short retry delays (tests, `appWebhookRetryBaseMs`) are honoured.
      dispatcher.start(Math.min(tickMs, 1000));
      closers.unshift(() => dispatcher.stop());
    }

    return {
      url,
      publicUrl,
      webhookUrl,
      socureApiUrl,
      socureProducts,
      sandboxUrls,
      apiKey,
      appWebhookSecret,
      database: describeDatabase(settings.databaseUrl),
      encryption,
      operatorUrls: {
        console: {
          url: `${publicUrl}/console`,
          access: `${settings.operatorApiKey ? 'key: OPERATOR_API_KEY' : 'key: the sessions API key'}${
            settings.consoleAllowRemote ? '' : '; from this machine only (CONSOLE_ALLOW_REMOTE)'
          }`,
        },
        metrics: {
          url: `${publicUrl}/metrics`,
          access: settings.metricsToken
            ? 'Bearer METRICS_TOKEN'
            : 'from this machine only (METRICS_TOKEN for a scraper elsewhere)',
        },
      },
      warnings,
      flows: [...flows.values()].map((f) => ({
        id: f.id,
        title: localize(f.title, 'en'),
        url: `${publicUrl}/flows/${f.id}`,
        public: isPublicFlow(f.id),
      })),
      sandbox,
      engine,
      store,
      metrics,
      app,
      async close() {
        // Every closer runs even when one fails, so a failing step never leaves the store or a port open.
        let failure: unknown;
        for (const close of closers) {
          try {
            await close();
          } catch (err) {
            failure ??= err;
          }
        }
        if (failure) throw failure;
      },
    };
  } catch (err) {
    for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
    throw err;
  }
}

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * With HOST=0.0.0.0 the sandbox's own URL names 0.0.0.0: a person uses the public address's host instead. Its
 * admin answers loopback clients only, so it is shown on 127.0.0.1 then.
 */
function sandboxAddresses(
  sandbox: RunningSandbox,
  host: string,
  publicUrl: string,
): { url: string; adminUrl: string } {
  const own = new URL(sandbox.publicUrl);
  if (!UNSPECIFIED_HOSTS.has(own.hostname) && !UNSPECIFIED_HOSTS.has(host))
    return { url: sandbox.url, adminUrl: sandbox.url };
  const port = new URL(sandbox.url).port;
  const pub = new URL(publicUrl);
  const url = UNSPECIFIED_HOSTS.has(own.hostname) ? `${pub.protocol}//${pub.hostname}:${port}` : own.origin;
  return { url, adminUrl: `http://127.0.0.1:${port}` };
}

/** Where a browser reaches the embedded sandbox: where capture links point, unless that names no host. */
function sandboxForBrowsers(sandbox: RunningSandbox, host: string, publicUrl: string): string {
  const own = new URL(sandbox.publicUrl);
  return UNSPECIFIED_HOSTS.has(own.hostname) ? sandboxAddresses(sandbox, host, publicUrl).url : own.origin;
}

function describeKeys(keys: KeySource): string {
  switch (keys.origin) {
    case 'configured':
      return `personal data encrypted with key "${keys.ring.current.id}" of DATA_ENCRYPTION_KEYS`;
    case 'key-file':
      return keys.created
        ? `personal data encrypted with a new key generated into ${keys.path} (mode 0600): back it up, without it the data cannot be read`
        : `personal data encrypted with the key in ${keys.path}`;
    case 'ephemeral':
      return 'personal data encrypted with a throwaway key (in-memory database)';
  }
}

export { sessionPath };
