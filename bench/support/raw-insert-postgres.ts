/**
 * Baseline of the webhook-ingest bench on PostgreSQL: a bare `node:http` server that compares the
 * `Authorization` header with the secret (plain string compare), JSON.parses the body, takes the same
 * correlation keys the service does and inserts one row (one autocommit statement, a named prepared
 * statement) through a `pg` Pool as large as the service's (DATABASE_POOL_SIZE default 10), then answers
 * what the service answers. The table has the columns and indexes of the service's `webhook_inbox` after
 * migration 0003 (the bench checks this).
 *
 * Env: BENCH_DATABASE_URL, BENCH_WEBHOOK_SECRET, BENCH_POOL_SIZE. Prints `{ url }`, serves until SIGTERM/SIGINT.
 */
import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';
import { serveBaseline } from './serve-baseline.js';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!databaseUrl || !secret) throw new Error('BENCH_DATABASE_URL and BENCH_WEBHOOK_SECRET are required');
/** The service's default `correlateGraceMs`: when a sweep would pick the delivery up. */
const CORRELATE_GRACE_MS = 5_000;

const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.BENCH_POOL_SIZE ?? 10) });
pool.on('error', () => undefined);
// Migrations 0001 + 0003 (+ 0006's indexes) on PostgreSQL: the same columns (in the same order) and the same indexes.
await pool.query(`
  create table if not exists webhook_inbox (
    delivery_id text primary key,
    event_type text not null,
    docv_transaction_token text,
    reference_id text,
    customer_user_id text,
    payload text not null,
    authenticated integer not null,
    received_at bigint not null,
    consumed_by text,
    seq bigint generated always as identity,
    correlate_by bigint
  );
  create unique index if not exists webhook_inbox_token_event_type
    on webhook_inbox (docv_transaction_token, event_type);
  create index if not exists webhook_inbox_reference_id on webhook_inbox (reference_id);
  create index if not exists webhook_inbox_customer_user_id on webhook_inbox (customer_user_id);
  create index if not exists webhook_inbox_correlate_by on webhook_inbox (correlate_by);
  create index if not exists webhook_inbox_received_at on webhook_inbox (received_at);
  create index if not exists webhook_inbox_consumed_by on webhook_inbox (consumed_by);
`);
const INSERT = `insert into webhook_inbox (delivery_id, event_type, docv_transaction_token, reference_id,
    customer_user_id, payload, authenticated, received_at, consumed_by, correlate_by)
  values ($1, $2, $3, $4, $5, $6, 1, $7, null, $8) on conflict do nothing`;

const INSERTED = Buffer.from('{"received":true,"duplicate":false}');
const DUPLICATE = Buffer.from('{"received":true,"duplicate":true}');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const userId = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v);

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.headers.authorization !== secret) return send(res, 401, Buffer.from('{"error":"unauthorized"}'));
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, Buffer.from('{"error":"invalid_json"}'));
    }
    const event = isObject(body) ? body.event : undefined;
    if (!isObject(body) || !isObject(event) || body.id == null || str(event.eventType) === null) {
      return send(res, 400, Buffer.from('{"error":"invalid_delivery"}'));
    }
    const data = isObject(event.data) ? event.data : undefined;
    const now = Date.now();
    pool
      .query({
        name: 'insert_delivery',
        text: INSERT,
        values: [
          String(body.id),
          event.eventType,
          str(event.docvTransactionToken) ?? str(data?.docvTransactionToken),
          str(event.referenceId) ?? str(data?.referenceId) ?? str(body.origId),
          userId(event.customerUserId) ?? userId(data?.customerUserId),
          text,
          now,
          now + CORRELATE_GRACE_MS,
        ],
      })
      .then(
        (result) => send(res, 200, (result.rowCount ?? 0) > 0 ? INSERTED : DUPLICATE),
        () => send(res, 500, Buffer.from('{"error":"internal_error"}')),
      );
  });
});
serveBaseline(server, {}, () => pool.end());
