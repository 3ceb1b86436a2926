/**
 * The flow service for the SSE benches (sse-memory, webhook-to-sse), configured as an operator would: settings
 * from environment variables (`resolveServiceSettings`), SQLite, and a real connector config (an ID+ key and
 * SOCURE_API_URL), so no embedded sandbox runs and this process holds what a production instance holds. Default
 * SSE caps unless BENCH_SSE_MAX_STREAMS is set (the benches connect from distinct loopback addresses, so the
 * per-client cap of 20 holds as shipped).
 *
 * Env: BENCH_DATABASE_URL, BENCH_WEBHOOK_SECRET, BENCH_API_KEY; BENCH_SANDBOX_URL (a standalone sandbox; default
 * a closed port, for flows that never call Socure), BENCH_FLOWS_DIR (default the shipped flows), BENCH_LOG_LEVEL
 * (default `info`, to /dev/null), BENCH_SQLITE_SYNCHRONOUS (default full), BENCH_SSE_MAX_STREAMS.
 * Prints `{ url, webhookPath, probe }` (probe: see memory-probe.ts), serves until SIGTERM/SIGINT.
 */
import pino from 'pino';
import { resolveServiceSettings } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startService } from '../../src/server/service.js';
import { SANDBOX_ID_PLUS_KEY, SANDBOX_SDK_KEY } from '../../test/support/instances.js';
import { startMemoryProbe } from './memory-probe.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const settings = resolveServiceSettings({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: env('BENCH_DATABASE_URL'),
  SQLITE_SYNCHRONOUS: process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full',
  SOCURE_WEBHOOK_SECRET: env('BENCH_WEBHOOK_SECRET'),
  CONNECTOR_API_KEY: env('BENCH_API_KEY'),
  SOCURE_ID_PLUS_KEY: SANDBOX_ID_PLUS_KEY,
  SOCURE_SDK_KEY: SANDBOX_SDK_KEY,
  SOCURE_ENVIRONMENT: 'sandbox',
  // Port 9 (discard) when no sandbox is given: a Socure call would fail, not pass unnoticed.
  SOCURE_API_URL: process.env.BENCH_SANDBOX_URL ?? 'http://127.0.0.1:9',
  ...(process.env.BENCH_FLOWS_DIR ? { FLOWS_DIR: process.env.BENCH_FLOWS_DIR } : {}),
  ...(process.env.BENCH_SSE_MAX_STREAMS ? { SSE_MAX_STREAMS: process.env.BENCH_SSE_MAX_STREAMS } : {}),
});

const logger = createLogger({
  level: process.env.BENCH_LOG_LEVEL ?? 'info',
  destination: pino.destination({ dest: '/dev/null', sync: true }),
});
const service = await startService(settings, { logger });
const probe = await startMemoryProbe('service');
const webhookPath = new URL(service.webhookUrl).pathname;
process.stdout.write(`${JSON.stringify({ url: service.url, webhookPath, probe })}\n`);

const stop = () => {
  service.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
