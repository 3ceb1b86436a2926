/**
 * The flow service for the session-start bench, as `npm start` runs it: embedded sandbox, SQLite in a fresh
 * directory, settings from the environment (`resolveServiceSettings`). Only the sessions API's rate limit is
 * raised (the bench is one client). Env: BENCH_DATA_DIR, BENCH_API_KEY, BENCH_LOG_LEVEL (default `info`, to
 * /dev/null). Prints `{ url }` on stdout, serves until SIGTERM/SIGINT.
 */
import { join } from 'node:path';
import pino from 'pino';
import { resolveServiceSettings } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startService } from '../../src/server/service.js';

const dir = process.env.BENCH_DATA_DIR;
const apiKey = process.env.BENCH_API_KEY;
if (!dir || !apiKey) throw new Error('BENCH_DATA_DIR and BENCH_API_KEY are required');

const settings = resolveServiceSettings({
  PORT: '0',
  SANDBOX_PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: `sqlite:${join(dir, 'service.db')}`,
  CONNECTOR_API_KEY: apiKey,
  RATE_LIMIT_API_PER_MINUTE: '1000000',
  // Its name before the RATE_LIMIT_* settings, for a baseline run of older code (ignored by this code).
  API_RATE_LIMIT_PER_MINUTE: '1000000',
});
const logger = createLogger({
  level: process.env.BENCH_LOG_LEVEL ?? 'info',
  destination: pino.destination({ dest: '/dev/null', sync: true }),
});
const service = await startService(settings, { logger });
process.stdout.write(`${JSON.stringify({ url: service.url })}\n`);

const stop = () => {
  service.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
