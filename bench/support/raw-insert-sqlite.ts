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
import { openRawInbox } from './raw-inbox-sqlite.js';
import { serveBaseline } from './serve-baseline.js';

const path = process.env.BENCH_SQLITE_PATH;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!path || !secret) throw new Error('BENCH_SQLITE_PATH and BENCH_WEBHOOK_SECRET are required');
/** The service's default `correlateGraceMs`: when a sweep would pick the delivery up. */
const CORRELATE_GRACE_MS = 5_000;

const inbox = openRawInbox(path);
const { insert, synchronous } = inbox;

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
serveBaseline(server, { synchronous }, () => inbox.close());
