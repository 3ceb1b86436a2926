/**
 * Baseline of the sse-memory bench: a bare `node:http` SSE server. `GET /s/<id>/<sig>/events` answers the
 * headers the service sends and one `change` event, then keeps the response open; responses are kept in one
 * map from session id to responses, and one shared timer writes the heartbeat. No session lookup, no cookie
 * check: the floor of what an open stream costs in Node.
 *
 * Prints `{ url, probe }` (probe: see memory-probe.ts), serves until SIGTERM/SIGINT.
 */
import { createServer, type ServerResponse } from 'node:http';
import { startMemoryProbe } from './memory-probe.js';
import { serveBaseline } from './serve-baseline.js';

const EVENTS = /^\/s\/([^/]+)\/[^/]+\/events$/;
const streams = new Map<string, Set<ServerResponse>>();

const server = createServer((req, res) => {
  const id = EVENTS.exec(req.url ?? '')?.[1];
  if (req.method !== 'GET' || !id) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.write('event: change\ndata: {"version":1,"status":"waiting"}\n\n');
  let set = streams.get(id);
  if (!set) {
    set = new Set();
    streams.set(id, set);
  }
  set.add(res);
  res.on('close', () => {
    set.delete(res);
    if (set.size === 0) streams.delete(id);
  });
});

setInterval(() => {
  for (const set of streams.values()) for (const res of set) res.write(': keep-alive\n\n');
}, 15_000).unref();

const probe = await startMemoryProbe('bare');
serveBaseline(server, { probe });
