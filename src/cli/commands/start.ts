import { Command } from 'commander';
import type { ServiceFlags } from '../../server/config.js';
import type { RunningService } from '../../server/service.js';
import { describeProducts } from '../../server/socure-products.js';
import { withConnectorFlags } from '../connector-flags.js';
import { onShutdown } from '../shutdown.js';

/** The banner a person reads after `npm start`: where to go, what to paste into Socure. */
export function describeService(service: RunningService, apiKeyFromSettings: boolean): string {
  const open = service.flows.filter((f) => f.public);
  const width = Math.max(0, ...open.map((f) => f.title.length));
  const lines = [
    `socure-connector is running at ${service.publicUrl}`,
    '',
    ...(open.length === 0
      ? ['Public flows: none — start sessions through the sessions API (PUBLIC_FLOWS)']
      : [
          open.length === service.flows.length
            ? 'Flows — open one in a browser:'
            : `Public flows (PUBLIC_FLOWS): ${open.map((f) => f.id).join(', ')} — open one in a browser:`,
          ...open.map((f) => `  ${f.title.padEnd(width)}  ${f.url}`),
        ]),
    '',
    `Socure products: ${describeProducts(service.socureProducts)}`,
    // A RiskOS-only deployment calls no ID+ host; on the embedded sandbox both products share its address.
    ...(service.socureProducts.idPlus
      ? [`Socure API: ${service.socureApiUrl}${service.sandbox ? ' (the embedded offline sandbox)' : ''}`]
      : []),
    ...(service.socureProducts.riskOs && !service.sandbox
      ? [`RiskOS API: ${service.socureProducts.riskOs}`]
      : []),
    `Socure webhook URL (Socure admin > Developer > Webhook): ${service.webhookUrl}`,
    `Sessions API: POST ${service.publicUrl}/api/sessions   OpenAPI: ${service.publicUrl}/api/openapi.json`,
    `  Authorization: Bearer ${apiKeyFromSettings ? '<CONNECTOR_API_KEY>' : service.apiKey}`,
    `Operator console: ${service.operatorUrls.console.url}   (${service.operatorUrls.console.access})`,
    `Metrics (Prometheus): ${service.operatorUrls.metrics.url}   (${service.operatorUrls.metrics.access})`,
    `Database: ${service.database}`,
    `Encryption: ${service.encryption}`,
  ];
  for (const warning of service.warnings) lines.push(`Warning: ${warning}`);
  if (service.appWebhookSecret)
    lines.push(`App webhook signing secret (Standard Webhooks): ${service.appWebhookSecret}`);
  if (service.sandbox && service.sandboxUrls) {
    const { url, adminUrl } = service.sandboxUrls;
    lines.push(
      '',
      `No SOCURE_ID_PLUS_KEY or SOCURE_RISKOS_KEY set: using the embedded offline Socure sandbox at ${url}`,
      `  admin (webhooks, allowlist, keys): ${adminUrl}/admin`,
      `  SMS outbox: ${adminUrl}/sandbox/outbox`,
      'Set SOCURE_ID_PLUS_KEY and SOCURE_SDK_KEY (ID+, DocV), SOCURE_RISKOS_KEY (RiskOS) or both, and SOCURE_ENVIRONMENT',
      '  (or SOCURE_API_URL / SOCURE_RISKOS_URL) to use real Socure.',
    );
  }
  return lines.join('\n');
}

export function startCommand(): Command {
  const cmd = new Command('start')
    .description(
      'Run the connector service: hosted flows, Socure webhook, sessions API (embedded sandbox when no key)',
    )
    .option(
      '--config <file>',
      'JSON file with settings named like the environment variables (env CONFIG_FILE)',
    )
    .option('--port <port>', 'HTTP port, default 3000 (env PORT)')
    .option(
      '--host <host>',
      'address to bind, default 127.0.0.1; 0.0.0.0 for phones on your network (env HOST)',
    )
    .option(
      '--public-url <url>',
      'the address phones and Socure reach, default http://localhost:<port> (env PUBLIC_URL)',
    )
    .option(
      '--database-url <url>',
      'SQLite path (default sqlite:./data/socure-connector.db) or postgres://user:pass@host:5432/db (env DATABASE_URL)',
    )
    .option(
      '--database-pool-size <n>',
      'PostgreSQL connections per instance, default 10 (env DATABASE_POOL_SIZE)',
    )
    .option(
      '--sqlite-synchronous <full|normal>',
      'SQLite synchronous pragma: full (default, survives power loss) or normal (faster) (env SQLITE_SYNCHRONOUS)',
    )
    .option(
      '--public-flows <all|none|ids>',
      'flows anyone may start from the hosted pages: all, none or a comma list of ids; default all on the embedded sandbox, none with a real key (env PUBLIC_FLOWS)',
    )
    .option(
      '--flows-dir <dir>',
      'a directory of flow JSON files added to the shipped flows (a shipped id is overridden; env FLOWS_DIR)',
    )
    .option('--api-key <key>', 'Bearer key of the sessions API; generated when unset (env CONNECTOR_API_KEY)')
    .option(
      '--webhook-secret <s1,s2>',
      'secret(s) Socure sends in the webhook Authorization header (env SOCURE_WEBHOOK_SECRET)',
    )
    .option('--app-webhook-url <url>', 'called when a session ends (env APP_WEBHOOK_URL)')
    .option('--app-webhook-secret <whsec_…>', 'Standard Webhooks signing secret (env APP_WEBHOOK_SECRET)')
    .option('--sandbox-port <port>', 'port of the embedded sandbox, default 4010 (env SANDBOX_PORT)')
    .option(
      '--sandbox-admin-token <token>',
      'lets remote clients into the embedded sandbox admin with Authorization: Bearer <token>; else loopback only (env SANDBOX_ADMIN_TOKEN)',
    )
    .option(
      '--metrics-token <token>',
      'Bearer token GET /metrics requires; else it answers loopback clients only (env METRICS_TOKEN)',
    )
    .option('--brand-name <name>', "the pages' brand name, in the header and titles (env BRAND_NAME)")
    .option('--brand-logo-url <url>', 'an https logo URL for the header (env BRAND_LOGO_URL)')
    .option('--brand-logo-file <path>', 'or a logo file: png, svg, jpg, webp ≤ 512 KB (env BRAND_LOGO_FILE)')
    .option(
      '--brand-primary-color <#hex>',
      'buttons and links colour, e.g. #0b5d3b (env BRAND_PRIMARY_COLOR)',
    )
    .option(
      '--brand-stylesheet-url <url>',
      'an https stylesheet linked after ours (env BRAND_STYLESHEET_URL)',
    )
    .option(
      '--frame-ancestors <origins>',
      'origins allowed to frame the hosted pages (your app: https://app.example.com); default none (env FRAME_ANCESTORS)',
    )
    .option(
      '--device-script-url <url>',
      "Socure's Sigma Device script for screens with deviceSession; none by default with a real key (env SOCURE_DEVICE_SCRIPT_URL)",
    )
    .option(
      '--trust-proxy <hops|addresses>',
      'behind reverse proxies: their number (1) or addresses (10.0.0.0/8); client IPs from X-Forwarded-For (env TRUST_PROXY)',
    )
    .option(
      '--rate-limit-pages-per-minute <n>',
      'requests per minute per client IP on pages and anonymous calls, default 600 (env RATE_LIMIT_PAGES_PER_MINUTE)',
    )
    .option(
      '--rate-limit-api-per-minute <n>',
      'requests per minute per client IP on the sessions API with a valid key, default 6000 (env RATE_LIMIT_API_PER_MINUTE)',
    )
    .option(
      '--rate-limit-webhook-per-minute <n>',
      'unauthenticated Socure deliveries per minute per client IP (authenticated ones are never limited), default 6000 (env RATE_LIMIT_WEBHOOK_PER_MINUTE)',
    )
    .option(
      '--sse-max-per-client <n>',
      'open waiting-page streams per client IP, default 20 (env SSE_MAX_PER_CLIENT)',
    )
    .option('--sse-max-streams <n>', 'open waiting-page streams in all, default 10000 (env SSE_MAX_STREAMS)')
    .option(
      '--instance-id <id>',
      'this instance in session leases: unique, stable across restarts; default host:port (env INSTANCE_ID)',
    )
    .option(
      '--retention-days <n>',
      'days personal data of ended sessions, deliveries and callbacks is kept, default 30 (env RETENTION_DAYS)',
    )
    .option(
      '--inbox-retention-hours <n>',
      'hours a Socure delivery no session consumed is kept, default 72 (env INBOX_RETENTION_HOURS)',
    );
  withConnectorFlags(cmd)
    .option('--sdk-key <key>', 'SDK key (env SOCURE_SDK_KEY)')
    .option(
      '--webhook-url <url>',
      'the public URL of the Socure webhook when a proxy rewrites paths; printed instead of the computed one (env SOCURE_WEBHOOK_URL)',
    );
  cmd.addHelpText(
    'after',
    `
Examples:
  $ npm start                                   # offline, embedded sandbox, SQLite in ./data
  $ SOCURE_ID_PLUS_KEY=… SOCURE_SDK_KEY=… SOCURE_ENVIRONMENT=sandbox PUBLIC_URL=https://verify.example.com \\
      SOCURE_WEBHOOK_SECRET=… socure-connector start --port 8080
  $ SOCURE_RISKOS_KEY=… SOCURE_ENVIRONMENT=sandbox PUBLIC_URL=https://verify.example.com \
      SOCURE_WEBHOOK_SECRET=… socure-connector start   # RiskOS only: ID+ and DocV steps are refused`,
  );
  return cmd.action(async (opts: ServiceFlags) => {
    // The service's modules (Fastify, the store, the sandbox) load here: no other command needs them.
    const [{ resolveServiceSettings }, { startService }] = await Promise.all([
      import('../../server/config.js'),
      import('../../server/service.js'),
    ]);
    const settings = resolveServiceSettings(process.env, opts);
    const service = await startService(settings);
    process.stdout.write(`${describeService(service, settings.apiKey !== undefined)}\n`);
    await onShutdown(() => service.close());
  });
}
