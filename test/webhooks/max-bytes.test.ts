/**
 * verifyAndParse's own size cap (`maxBytes`, default 1 MiB like the service's webhook route): a larger body is
 * refused with WebhookPayloadTooLargeError (413, reason body_too_large) before the secret is checked and
 * before any parsing. And the node:http helper stops reading a body at its cap instead of buffering it.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as webhooks from '../../src/webhooks/index.js';
import {
  buildTestDelivery,
  createNodeWebhookHandler,
  generateTestHeaders,
  verifyAndParse,
  WebhookAuthenticationError,
  WebhookError,
  WebhookPayloadError,
} from '../../src/webhooks/index.js';

const MiB = 1024 * 1024;
const SECRET = 'max-bytes-secret';

/** A valid, authenticated delivery padded (with JSON whitespace) to exactly `bytes` bytes. */
function deliveryOf(bytes: number, secret: string | undefined = SECRET) {
  const payload = buildTestDelivery({ eventType: 'APP_OPENED', docvTransactionToken: 'tok-big' });
  const { headers, rawBody } = generateTestHeaders({ payload, secret });
  if (Buffer.byteLength(rawBody) > bytes) throw new Error('delivery is larger than the size asked for');
  return { headers, rawBody: rawBody.padEnd(bytes, ' ') };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

// Looked up at run time so this file runs (and fails) before the class exists.
const TooLarge = () =>
  (webhooks as Record<string, unknown>).WebhookPayloadTooLargeError as
    | (new (
        ...args: never[]
      ) => Error)
    | undefined;

function expectTooLarge(error: unknown, maxBytes: number) {
  const Cls = TooLarge();
  expect(Cls, 'WebhookPayloadTooLargeError is exported').toBeTypeOf('function');
  expect(error).toBeInstanceOf(Cls!);
  expect(error).toBeInstanceOf(WebhookError);
  expect(error).not.toBeInstanceOf(WebhookPayloadError);
  expect(error).not.toBeInstanceOf(WebhookAuthenticationError);
  const e = error as WebhookError & { maxBytes: number };
  expect(e.statusCode).toBe(413);
  expect(e.reason).toBe('body_too_large');
  expect(e.maxBytes).toBe(maxBytes);
  expect(e.message).toContain(String(maxBytes));
}

describe('verifyAndParse: maxBytes', () => {
  it('refuses a body of 1 MiB + 1 byte by default with WebhookPayloadTooLargeError (413)', () => {
    const { headers, rawBody } = deliveryOf(MiB + 1);
    expectTooLarge(
      thrown(() => verifyAndParse({ headers, rawBody, secrets: SECRET })),
      MiB,
    );
    // as bytes too
    expectTooLarge(
      thrown(() => verifyAndParse({ headers, rawBody: Buffer.from(rawBody), secrets: SECRET })),
      MiB,
    );
  });

  it('accepts exactly 1 MiB by default (the limit itself is allowed)', () => {
    const { headers, rawBody } = deliveryOf(MiB);
    expect(verifyAndParse({ headers, rawBody, secrets: SECRET }).authenticated).toBe(true);
  });

  it('exports the default (1,048,576 bytes, the same as the routes)', () => {
    expect((webhooks as Record<string, unknown>).DEFAULT_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it('honours a smaller maxBytes, counting UTF-8 bytes of a string body', () => {
    const { headers, rawBody } = deliveryOf(2000);
    const opts = (maxBytes: number) => ({ headers, rawBody, secrets: SECRET, maxBytes }) as never;
    expect(verifyAndParse(opts(2000)).id).toBeTypeOf('string');
    expectTooLarge(
      thrown(() => verifyAndParse(opts(1999))),
      1999,
    );
    // 600 × "é" is 600 UTF-16 units but 1,200 bytes: the cap is on bytes
    const accented = rawBody.replace(/ {600}$/, 'é'.repeat(600));
    expect(accented.length).toBe(2000);
    expect(Buffer.byteLength(accented)).toBe(2600);
    expectTooLarge(
      thrown(() => verifyAndParse({ headers, rawBody: accented, secrets: SECRET, maxBytes: 2599 } as never)),
      2599,
    );
  });

  it('checks the size before the secret and before parsing', () => {
    const big = 'x'.repeat(MiB + 1); // not JSON at all
    // wrong secret, no Authorization, not JSON: the size is what is reported
    expectTooLarge(
      thrown(() => verifyAndParse({ headers: { authorization: 'wrong' }, rawBody: big, secrets: SECRET })),
      MiB,
    );
    expectTooLarge(
      thrown(() => verifyAndParse({ headers: {}, rawBody: big, secrets: SECRET })),
      MiB,
    );
    expectTooLarge(
      thrown(() => verifyAndParse({ headers: {}, rawBody: Buffer.from(big) })),
      MiB,
    );
    // JSON.parse is never reached for an oversized body
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parsed++;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      const { headers, rawBody } = deliveryOf(MiB + 1);
      thrown(() => verifyAndParse({ headers, rawBody, secrets: SECRET }));
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBe(0);
  });

  it('refuses a maxBytes that is not a positive whole number', () => {
    const { headers, rawBody } = deliveryOf(500);
    for (const maxBytes of [0, -1, 1.5, Number.NaN, '100']) {
      expect(() => verifyAndParse({ headers, rawBody, secrets: SECRET, maxBytes } as never)).toThrow(
        TypeError,
      );
    }
  });
});

describe('verifyAndParse over a real socket (the README’s receiver pattern)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A receiver that buffers the body itself (as express.text would) and hands it to verifyAndParse. */
  async function receiver(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let status = 200;
        let body: unknown = { received: true };
        try {
          verifyAndParse({ headers: req.headers, rawBody: Buffer.concat(chunks), secrets: SECRET });
        } catch (error) {
          if (!(error instanceof WebhookError)) throw error;
          status = error.statusCode;
          body = { error: error.reason };
        }
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  it('answers 413 body_too_large for 1 MiB + 1 and 200 for 1 MiB', async () => {
    const url = await receiver();
    const over = deliveryOf(MiB + 1);
    let res = await fetch(url, { method: 'POST', headers: over.headers, body: over.rawBody });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body_too_large' });
    const exact = deliveryOf(MiB);
    res = await fetch(url, { method: 'POST', headers: exact.headers, body: exact.rawBody });
    expect(res.status).toBe(200);
  });
});

describe('createNodeWebhookHandler: stops reading at the cap', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  /**
   * Sends a chunked body that never ends (64 KiB writes while the socket takes them) and returns the answer's
   * status line and how many body bytes the server read from the socket.
   */
  async function endlessUpload(maxBodyBytes: number, framing: 'chunked' | 'declared' = 'chunked') {
    let serverSocket: Socket | undefined;
    let requestSeen: IncomingMessage | undefined;
    let calls = 0;
    const handler = createNodeWebhookHandler({ maxBodyBytes, onDelivery: () => void calls++ });
    server = createServer((req, res) => {
      requestSeen = req;
      handler(req, res);
    });
    server.on('connection', (s: Socket) => {
      serverSocket = s;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const LIMIT = 256 * MiB;
    const framingHeader = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${LIMIT}`;
    client.write(
      `POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${framingHeader}\r\n\r\n`,
    );
    const spaces = Buffer.alloc(64 * 1024, 0x20);
    const chunk =
      framing === 'chunked'
        ? Buffer.concat([Buffer.from(`${(64 * 1024).toString(16)}\r\n`), spaces, Buffer.from('\r\n')])
        : spaces;
    let answer = '';
    let sent = 0;
    const closed = new Promise<void>((resolve) => {
      client.on('close', () => resolve());
      client.on('error', () => resolve());
    });
    client.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    // Write as fast as the socket drains, up to 256 MiB; a server that keeps reading would take it all.
    const pump = async () => {
      while (sent < LIMIT && !client.destroyed) {
        sent += chunk.length;
        if (!client.write(chunk)) {
          const drained = await Promise.race([
            once(client, 'drain').then(() => true),
            closed.then(() => false),
          ]);
          if (!drained) return;
        }
      }
    };
    await Promise.race([pump(), closed]);
    await closed;
    return {
      status: answer.split('\r\n', 1)[0],
      bytesRead: serverSocket?.bytesRead ?? 0,
      sent,
      calls,
      requestComplete: requestSeen?.complete,
    };
  }

  it('answers 413 and closes the connection: it reads about the cap, not the whole upload', async () => {
    const r = await endlessUpload(MiB);
    expect(r.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(r.calls).toBe(0);
    expect(r.requestComplete).toBe(false);
    // What the server read from the socket: the cap plus what was in flight (socket and stream buffers, some
    // tens of KiB), not the rest of the upload. Reading on (and discarding) until the answer was written read
    // more than twice the cap here.
    expect(r.bytesRead).toBeGreaterThan(MiB);
    expect(r.bytesRead).toBeLessThan(MiB + 512 * 1024);
    expect(r.sent).toBeLessThan(256 * MiB);
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    const r = await endlessUpload(MiB, 'declared');
    expect(r.status).toBe('HTTP/1.1 413 Payload Too Large');
    expect(r.calls).toBe(0);
    // the headers plus what was already in flight, nowhere near the declared 256 MiB
    expect(r.bytesRead).toBeLessThan(512 * 1024);
  });
});
