/**
 * The floor of the sandbox's ID+ work, for sandbox-throughput's third side: the raw baseline's `node:http` loop
 * running the sandbox's own scoring code on each request — `validateIdPlusRequest`, `evaluateIdPlus` and the answer's
 * `JSON.stringify` with a fresh referenceId — and nothing else (no Fastify, no key check, no faults, no DocV or device
 * lookups). What the same work costs with no framework at all: the sandbox cannot beat it by trimming Fastify.
 * Prints `{ url }`, serves until SIGTERM/SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { evaluateIdPlus } from '../../src/sandbox/idplus/engine.js';
import { validateIdPlusRequest } from '../../src/sandbox/idplus/validate.js';
import { serveBaseline } from './serve-baseline.js';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"Error"}');
      return;
    }
    const valid = validateIdPlusRequest(body);
    if (!valid.ok) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ msg: valid.msg }));
      return;
    }
    const answer = JSON.stringify({ referenceId: randomUUID(), ...evaluateIdPlus(valid.input) });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  });
});
serveBaseline(server);
