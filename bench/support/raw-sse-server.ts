/**
 * Baseline of the webhook-to-sse bench: a bare `node:http` server that holds event streams and, on a webhook,
 * inserts one row and then pushes one SSE event to the streams waiting on its DocV token. `GET /events/<token>`
 * opens a stream (one `change` event at once, like the service's); `POST /webhook` compares `Authorization` with
 * the secret, JSON.parses the body, inserts the delivery into a table shaped like the service's inbox
 * (bench/support/raw-insert-sqlite.ts: migration 0003's columns and indexes) with a prepared statement (autocommit,
 * the service's pragmas, synchronous as BENCH_SQLITE_SYNCHRONOUS says), answers 200, then pushes the event.
 *
 * With BENCH_FLOOR_ID_PLUS_URL and BENCH_FLOOR_ID_PLUS_KEY it is the floor side instead (raw-flow-floor.ts): after
 * the 200 it commits the claim, fetches the DocV result from that ID+ endpoint, commits the end, and the event names
 * the end page. BENCH_FLOOR_CLAIM=with-insert claims in the insert's own commit instead (one commit fewer).
 *
 * Env: BENCH_SQLITE_PATH, BENCH_WEBHOOK_SECRET, BENCH_SQLITE_SYNCHRONOUS (full | normal). Prints `{ url }`, serves
 * until SIGTERM/SIGINT.
 */
import { createServer, type ServerResponse } from 'node:http';
import { openFlowFloor } from './raw-flow-floor.js';
import { openRawInbox } from './raw-inbox-sqlite.js';
import { serveBaseline } from './serve-baseline.js';

const path = process.env.BENCH_SQLITE_PATH;
const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!path || !secret) throw new Error('BENCH_SQLITE_PATH and BENCH_WEBHOOK_SECRET are required');
const inbox = openRawInbox(path);
const { insert } = inbox;
const floorUrl = process.env.BENCH_FLOOR_ID_PLUS_URL;
const floor = floorUrl
  ? openFlowFloor(inbox.db, floorUrl, process.env.BENCH_FLOOR_ID_PLUS_KEY ?? '')
  : undefined;

const claimWithInsert = floor !== undefined && process.env.BENCH_FLOOR_CLAIM === 'with-insert';
/** The delivery's row and the floor's claim in one commit; whether the session was claimed. */
const insertAndClaim = inbox.db.transaction((args: unknown[], token: string, deliveryId: string) => {
  insert.run(...args);
  return floor!.claim(token, deliveryId);
});

const streams = new Map<string, Set<ServerResponse>>();
const OK = Buffer.from('{"received":true,"duplicate":false}');

function openStream(token: string, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write('event: change\ndata: {"version":1,"status":"waiting","page":"wait"}\n\n');
  floor?.open(token);
  let set = streams.get(token);
  if (!set) {
    set = new Set();
    streams.set(token, set);
  }
  set.add(res);
  res.on('close', () => {
    set.delete(res);
    if (set.size === 0) streams.delete(token);
  });
}

const server = createServer((req, res) => {
  const token = /^\/events\/([^/]+)$/.exec(req.url ?? '')?.[1];
  if (req.method === 'GET' && token) return openStream(token, res);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url !== '/webhook' || req.headers.authorization !== secret) return res.writeHead(401).end();
    const text = Buffer.concat(chunks).toString('utf8');
    const body = JSON.parse(text) as {
      id: string;
      event: { eventType: string; docvTransactionToken: string };
    };
    const now = Date.now();
    const { docvTransactionToken: waitedOn, eventType } = body.event;
    const args = [body.id, eventType, waitedOn, null, null, text, now, now + 5_000];
    let claimed = false;
    if (claimWithInsert) claimed = insertAndClaim(args, waitedOn, body.id);
    else insert.run(...args);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': OK.length });
    res.end(OK);
    const push = () => {
      for (const stream of streams.get(waitedOn) ?? [])
        stream.write('event: change\ndata: {"version":2,"status":"completed","page":"end"}\n\n');
    };
    if (!floor) return push();
    // The claim in a commit of its own, unless it went with the insert.
    if (!claimWithInsert) claimed = floor.claim(waitedOn, body.id);
    if (!claimed) return;
    floor.finish(waitedOn).then(
      (decision) => decision && push(),
      (err: unknown) => process.stderr.write(`floor: ${String(err)}\n`),
    );
  });
});
serveBaseline(server, {}, async () => {
  inbox.close();
  await floor?.close();
});
