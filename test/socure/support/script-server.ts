import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** What the local server saw for one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** One scripted answer: a response (optionally delayed), or `'destroy'` to drop the socket unanswered. */
export type Step =
  | { status: number; headers?: Record<string, string>; body?: string | object; delayMs?: number }
  | 'destroy';

export interface ScriptServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  requests: SeenRequest[];
  /** Answers the next requests with `steps` in order, then with `fallback` (default: 599 "script exhausted"). */
  script(steps: Step[], fallback?: Step): void;
  close(): Promise<void>;
}

/** A tiny node:http server on port 0 that answers a scripted sequence and records every request. */
export async function startScriptServer(): Promise<ScriptServer> {
  let steps: Step[] = [];
  let fallback: Step = { status: 599, body: 'script exhausted' };
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const step = steps.shift() ?? fallback;
      if (step === 'destroy') {
        req.socket.destroy();
        return;
      }
      const answer = () => {
        if (res.destroyed || res.writableEnded) return;
        const isText = typeof step.body === 'string' || step.body === undefined;
        const payload = step.body === undefined ? '' : isText ? String(step.body) : JSON.stringify(step.body);
        res.writeHead(step.status, {
          'content-type': isText ? 'text/plain' : 'application/json',
          ...step.headers,
        });
        res.end(payload);
      };
      if (step.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, step.delayMs);
        timers.add(t);
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(next, fb) {
      steps = [...next];
      if (fb !== undefined) fallback = fb;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `fn` and returns what it threw; fails the test when it did not throw. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** The key appears nowhere in the error: message, JSON form, stack, or its printed form (with causes). */
export function expectNoKey(err: unknown, key: string): void {
  expect(err).toBeInstanceOf(Error);
  const e = err as Error;
  expect(e.message).not.toContain(key);
  expect(JSON.stringify(e)).not.toContain(key);
  expect(String(e.stack)).not.toContain(key);
  expect(inspect(e, { depth: 8 })).not.toContain(key);
}
