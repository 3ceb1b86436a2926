import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCollector } from '../../src/socure/response-collector.js';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Local answers, one per path. */
const ANSWERS: Record<string, Answer> = {
  '/json': (_req, res) => {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.writeHead(200, { 'content-type': 'application/json', 'x-one': 'yes' });
    res.end('{"ok":true}');
  },
  '/chunks': (_req, res) => {
    const body = Buffer.from('{"text":"漢字漢字 — ünïcödé"}');
    res.writeHead(201);
    // Split inside a multi-byte character, with a pause, so the body arrives in several chunks.
    res.write(body.subarray(0, 11));
    setTimeout(() => res.end(body.subarray(11)), 20);
  },
  '/bom': (_req, res) => {
    res.writeHead(200);
    res.end(Buffer.concat([BOM, Buffer.from('{"bom":1}')]));
  },
  '/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
  '/early-hints': (_req, res) => {
    res.writeEarlyHints({ link: '</style.css>; rel=preload' });
    setTimeout(() => {
      res.writeHead(200, { 'x-final': '1' });
      res.end('final');
    }, 20);
  },
  '/stall-headers': () => {},
  '/stall-body': (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"partial":');
  },
  '/drop': (req) => {
    req.socket.destroy();
  },
};

describe('ResponseCollector', () => {
  let origin: string;
  let agent: Agent;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => ANSWERS[req.url ?? '']?.(req, res));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ keepAliveTimeout: 1_000 });
  });
  afterAll(async () => {
    await agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const collect = (path: string) => {
    const collector = new ResponseCollector();
    agent.dispatch({ origin, path, method: 'GET' }, collector);
    return collector;
  };

  it.each(['/json', '/chunks', '/bom', '/empty', '/early-hints'])(
    '%s: the status, headers and text that request() + body.text() give',
    async (path) => {
      const expected = await request(`${origin}${path}`, { dispatcher: agent });
      const text = await expected.body.text();
      const got = await collect(path).response;
      const drop = ({ date, ...rest }: Record<string, unknown>) => rest;
      expect({ ...got, headers: drop(got.headers) }).toEqual({
        statusCode: expected.statusCode,
        headers: drop(expected.headers),
        text,
      });
    },
  );

  it('parses repeated headers, decodes across chunks and drops a byte-order mark', async () => {
    expect((await collect('/json').response).headers).toMatchObject({
      'set-cookie': ['a=1', 'b=2'],
      'x-one': 'yes',
    });
    expect((await collect('/chunks').response).text).toBe('{"text":"漢字漢字 — ünïcödé"}');
    expect((await collect('/bom').response).text).toBe('{"bom":1}');
    expect(await collect('/empty').response).toMatchObject({ statusCode: 204, text: '' });
  });

  it('reports the final answer after a 1xx one', async () => {
    expect(await collect('/early-hints').response).toMatchObject({
      statusCode: 200,
      headers: { 'x-final': '1' },
      text: 'final',
    });
  });

  it('abort() rejects with the reason, before the headers and in the middle of the body', async () => {
    for (const path of ['/stall-headers', '/stall-body']) {
      const collector = collect(path);
      setTimeout(() => collector.abort(new Error(`gave up on ${path}`)), 50);
      await expect(collector.response).rejects.toThrow(`gave up on ${path}`);
    }
  });

  it('abort() before the request has started still rejects with the reason', async () => {
    const collector = new ResponseCollector();
    collector.abort(new Error('too late'));
    agent.dispatch({ origin, path: '/json', method: 'GET' }, collector);
    await expect(collector.response).rejects.toThrow('too late');
  });

  it('a dropped connection rejects with the error undici raised', async () => {
    await expect(collect('/drop').response).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });
});
