/**
 * Baseline for the throughput bench: a bare `node:http` server that reads the POST body, JSON.parses
 * it and answers a fixed JSON body (BENCH_RAW_BODY, a real ID+ answer captured by the parent, so both
 * sides send the same number of bytes). Prints `{ url }` on stdout, serves until SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { serveBaseline } from './serve-baseline.js';

const body = Buffer.from(process.env.BENCH_RAW_BODY ?? '{"ok":true}', 'utf8');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"Error"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
serveBaseline(server);
