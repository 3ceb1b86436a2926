/**
 * Baseline of the webhook-ingest bench on SQLite: a bare `node:http` server that compares the
 * `Authorization` header with the secret (plain string compare), JSON.parses the body, takes the same
 * correlation keys the service does, inserts one row with a prepared statement (autocommit) and answers
 * what the service answers. The table has the columns and indexes of the service's `webhook_inbox` after
 * migration 0003 (the bench checks this), and the connection the service's pragmas (WAL, synchronous as
 * BENCH_SQLITE_SYNCHRONOUS says — full by default, like the service — busy_timeout, foreign_keys).
 *
 * Env: BENCH_SQLITE_PATH, BENCH_WEBHOOK_SECRET, BENCH_SQLITE_SYNCHRONOUS (full | normal). Prints
 * `{ url, synchronous }` on stdout, serves until SIGTERM/SIGINT.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';

const path = process.env.BENCH_SQLITE_PATH;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!path || !secret) throw new Error('BENCH_SQLITE_PATH and BENCH_WEBHOOK_SECRET are required');
const synchronousSetting = (process.env.BENCH_SQLITE_SYNCHRONOUS ?? 'full').trim().toLowerCase();
if (synchronousSetting !== 'full' && synchronousSetting !== 'normal') {
  throw new Error('BENCH_SQLITE_SYNCHRONOUS must be full or normal');
}
/** The service's default `correlateGraceMs`: when a sweep would pick the delivery up. */
const CORRELATE_GRACE_MS = 5_000;

const db = new Database(path);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronousSetting === 'full' ? 'FULL' : 'NORMAL'}`);
const synchronous = ['off', 'normal', 'full', 'extra'][Number(db.pragma('synchronous', { simple: true }))];
db.pragma('foreign_keys = ON');
// Migration 0003's SQLite table and its four indexes, verbatim.
db.exec(`
  create table if not exists webhook_inbox (
    seq integer primary key autoincrement,
    delivery_id text not null unique,
    event_type text not null,
    docv_transaction_token text,
    reference_id text,
    customer_user_id text,
    payload text not null,
    authenticated integer not null,
    received_at bigint not null,
    consumed_by text,
    correlate_by bigint
  );
  create unique index if not exists webhook_inbox_token_event_type
    on webhook_inbox (docv_transaction_token, event_type);
  create index if not exists webhook_inbox_reference_id on webhook_inbox (reference_id);
  create index if not exists webhook_inbox_customer_user_id on webhook_inbox (customer_user_id);
  create index if not exists webhook_inbox_correlate_by on webhook_inbox (correlate_by);
`);
const insert = db.prepare(
  `insert into webhook_inbox (delivery_id, event_type, docv_transaction_token, reference_id, customer_user_id,
     payload, authenticated, received_at, consumed_by, correlate_by)
   values (?, ?, ?, ?, ?, ?, 1, ?, null, ?) on conflict do nothing`,
);

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
    const { changes } = insert.run(
      String(body.id),
      event.eventType,
      str(event.docvTransactionToken) ?? str(data?.docvTransactionToken),
      str(event.referenceId) ?? str(data?.referenceId) ?? str(body.origId),
      userId(event.customerUserId) ?? userId(data?.customerUserId),
      text,
      now,
      now + CORRELATE_GRACE_MS,
    );
    send(res, 200, changes > 0 ? INSERTED : DUPLICATE);
  });
});
server.keepAliveTimeout = 72_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, synchronous })}\n`);
});

const stop = () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
