/**
 * The flow service for the webhook-ingest bench, configured the way an operator would: settings resolved
 * from environment variables (`resolveServiceSettings`) with a real connector config (SOCURE_ID_PLUS_KEY,
 * SOCURE_API_URL), so no embedded sandbox runs. Nothing on the ingest path calls Socure: the bench sends
 * unique deliveries that match no waiting session. The API URL is a closed loopback port all the same.
 *
 * Env: BENCH_DATABASE_URL (sqlite:… or postgres://…), BENCH_WEBHOOK_SECRET, BENCH_LOG_LEVEL (default `info`,
 * the service's own default; lines go to /dev/null so the bench process does not read them),
 * BENCH_POOL_SIZE (DATABASE_POOL_SIZE, default 10), BENCH_SQLITE_SYNCHRONOUS (SQLITE_SYNCHRONOUS, default full).
 * TRUST_PROXY=1: the bench spreads X-Forwarded-For over many addresses so the webhook route's per-IP rate limit
 * (6000/min) runs but never refuses.
 * Prints `{ url, webhookPath, synchronous }` on stdout, serves until SIGTERM/SIGINT.
 */
import pino from 'pino';
import { resolveServiceSettings } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startService } from '../../src/server/service.js';
import { SqliteStore } from '../../src/store/index.js';
import { testKeysFor } from '../../test/support/database.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!databaseUrl || !secret) throw new Error('BENCH_DATABASE_URL and BENCH_WEBHOOK_SECRET are required');

const settings = resolveServiceSettings({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: databaseUrl,
  DATA_ENCRYPTION_KEYS: testKeysFor(databaseUrl),
  DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '10',
  SOCURE_WEBHOOK_SECRET: secret,
  // One hop: the bench's single X-Forwarded-For entry is the client address (`true` is refused by the service).
  TRUST_PROXY: '1',
  SQLITE_SYNCHRONOUS: process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full',
  SOCURE_ID_PLUS_KEY: 'bench-id-plus-key-not-used',
  SOCURE_ENVIRONMENT: 'sandbox',
  // Port 9 (discard): nothing listens there, so a Socure call on the ingest path would fail, not hide.
  SOCURE_API_URL: 'http://127.0.0.1:9',
});

const logger = createLogger({
  level: process.env.BENCH_LOG_LEVEL ?? 'info',
  destination: pino.destination({ dest: '/dev/null', sync: true }),
});
const service = await startService(settings, { logger });
const webhookPath = new URL(service.webhookUrl).pathname;
// SQLite: the synchronous pragma as the store's own connection reports it (the bench compares it with raw's).
const synchronous = service.store instanceof SqliteStore ? service.store.synchronous : undefined;
process.stdout.write(`${JSON.stringify({ url: service.url, webhookPath, synchronous })}\n`);

const stop = () => {
  service.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
