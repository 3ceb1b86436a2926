import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildTestDelivery,
  createNodeWebhookHandler,
  generateTestHeaders,
  type NodeWebhookHandlerOptions,
  type SocureWebhookDelivery,
} from '../../src/webhooks/index.js';

const SECRET = 'node-adapter-secret';
const servers: Server[] = [];

async function serve(options: NodeWebhookHandlerOptions): Promise<string> {
  const server = createServer(createNodeWebhookHandler(options));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/socure`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function delivery(secret?: string) {
  const payload = buildTestDelivery({ eventType: 'VERIFICATION_COMPLETED', docvTransactionToken: 'tok-9' });
  return { payload, ...generateTestHeaders({ payload, secret, scheme: 'bearer' }) };
}

describe('createNodeWebhookHandler over a real socket', () => {
  it('200 {"received":true} after onDelivery resolves', async () => {
    const received: SocureWebhookDelivery[] = [];
    let committed = false;
    const url = await serve({
      secrets: SECRET,
      onDelivery: async (d) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        received.push(d);
        committed = true;
      },
    });
    const { payload, headers, rawBody } = delivery(SECRET);
    const res = await fetch(url, { method: 'POST', headers, body: rawBody });
    expect(committed).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ received: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      id: payload.id,
      authenticated: true,
      eventType: 'VERIFICATION_COMPLETED',
      keys: { docvTransactionToken: 'tok-9' },
    });
  });

  it('401 for a wrong or missing secret; onDelivery is not called', async () => {
    let calls = 0;
    const url = await serve({ secrets: [SECRET, 'older'], onDelivery: () => void calls++ });
    const wrong = delivery('nope');
    let res = await fetch(url, { method: 'POST', headers: wrong.headers, body: wrong.rawBody });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid_authorization' });
    const missing = delivery();
    res = await fetch(url, { method: 'POST', headers: missing.headers, body: missing.rawBody });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'missing_authorization' });
    const rotated = delivery('older');
    res = await fetch(url, { method: 'POST', headers: rotated.headers, body: rotated.rawBody });
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('400 with the reason for a bad body', async () => {
    const url = await serve({ onDelivery: () => {} });
    let res = await fetch(url, { method: 'POST', body: '{"event":{"eventType":"APP_OPENED"}}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'missing_id' });
    res = await fetch(url, { method: 'POST', body: 'not json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_json' });
  });

  it('accepts unauthenticated deliveries when no secret is configured', async () => {
    const received: SocureWebhookDelivery[] = [];
    const url = await serve({ onDelivery: (d) => void received.push(d) });
    const { headers, rawBody } = delivery();
    const res = await fetch(url, { method: 'POST', headers, body: rawBody });
    expect(res.status).toBe(200);
    expect(received[0]?.authenticated).toBe(false);
  });

  it('413 for a body over the limit (declared length, and streamed without one)', async () => {
    let calls = 0;
    const url = await serve({ onDelivery: () => void calls++, maxBodyBytes: 1024 * 1024 });
    const big = JSON.stringify({ id: '1', event: { eventType: 'APP_OPENED', pad: 'x'.repeat(1024 * 1024) } });
    let res = await fetch(url, { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body_too_large' });

    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    res = await fetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(calls).toBe(0);

    // the limit itself is allowed
    const exact = JSON.stringify({ id: '1', event: { eventType: 'APP_OPENED' } });
    res = await fetch(url, { method: 'POST', body: exact.padEnd(1024 * 1024, ' ') });
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('500 when onDelivery throws (so Socure retries), and the retry then succeeds', async () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const url = await serve({
      secrets: SECRET,
      onDelivery: async () => {
        attempts++;
        if (attempts === 1) throw new Error('database down');
      },
      onError: (e) => errors.push(e),
    });
    const { headers, rawBody } = delivery(SECRET);
    let res = await fetch(url, { method: 'POST', headers, body: rawBody });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error' });
    expect(text).not.toContain('database');
    expect(errors).toHaveLength(1);
    res = await fetch(url, { method: 'POST', headers, body: rawBody });
    expect(res.status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('405 for other methods', async () => {
    const url = await serve({ onDelivery: () => {} });
    const res = await fetch(url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses a bad configuration at creation', () => {
    expect(() => createNodeWebhookHandler({ secrets: 'has space', onDelivery: () => {} })).toThrow(TypeError);
    expect(() => createNodeWebhookHandler({ onDelivery: () => {}, maxBodyBytes: 0 })).toThrow(TypeError);
  });
});
