import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { createSession, PERSONA_FORM, startTestService, submitScreen, type TestService } from './helpers.js';

const SECRET = `whsec_${Buffer.from('a test secret of 24 byte').toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A local app endpoint: records every request, answers with the queued statuses, then 200. */
const received: Received[] = [];
const statuses: number[] = [];
let receiver: Server;
let t: TestService;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  t = await startTestService(
    { appWebhookUrl: `http://127.0.0.1:${port}/hooks/socure`, appWebhookSecret: SECRET },
    { appWebhookRetryBaseMs: 20 },
  );
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

/** Runs an idplus-score session to its end (the persona: accept). */
async function completeSession(customerUserId: string): Promise<string> {
  const { id, path } = await createSession(t, { flow: 'idplus-score', customerUserId });
  expect((await submitScreen(t, path, PERSONA_FORM)).status).toBe(303);
  expect((await t.service.store.getSession(id))?.status).toBe('completed');
  return id;
}

const forSession = (id: string) =>
  received.filter((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id === id);

/** Standard Webhooks verification, done independently of the service's code. */
function verify(r: Received): boolean {
  const id = String(r.headers['webhook-id']);
  const timestamp = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('app webhooks', () => {
  it('the service reports the configured signing secret', () => {
    expect(t.service.appWebhookSecret).toBe(SECRET);
  });

  it('the end of a session delivers session.completed with a valid Standard Webhooks signature', async () => {
    const id = await completeSession('app-hook-1');
    const [delivery] = await eventually(
      () => (forSession(id).length > 0 ? forSession(id) : undefined),
      'the app webhook',
    );
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);
    const ts = Number(delivery!.headers['webhook-timestamp']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(delivery!)).toBe(true);
    // A tampered body does not verify.
    expect(verify({ ...delivery!, body: delivery!.body.replace('verified', 'rejected') })).toBe(false);

    const body = JSON.parse(delivery!.body);
    expect(body).toMatchObject({
      type: 'session.completed',
      data: {
        id,
        flow: 'idplus-score',
        status: 'completed',
        outcome: 'verified',
        customerUserId: 'app-hook-1',
        result: { decision: 'accept' },
      },
    });
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);

    const rows = await eventually(async () => {
      const list = await t.service.store.listOutbound(id);
      return list[0]?.status === 'delivered' ? list : undefined;
    }, 'the outbound row to be delivered');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ attempts: 1, status: 'delivered', lastError: null, sessionId: id });
    expect(forSession(id)).toHaveLength(1);
  });

  it('a receiver answering 500 twice then 200 gets it on the 3rd attempt, same id, each signed', async () => {
    statuses.push(500, 500);
    const id = await completeSession('app-hook-2');
    const rows = await eventually(async () => {
      const list = await t.service.store.listOutbound(id);
      return list[0]?.status === 'delivered' ? list : undefined;
    }, 'the outbound row to be delivered after retries');
    expect(rows[0]).toMatchObject({ attempts: 3, status: 'delivered', lastError: null });

    const attempts = forSession(id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    for (const a of attempts) expect(verify(a)).toBe(true);
    expect(t.logs.text).toMatch(/app webhook delivery failed/);
  });

  it('a failing attempt is recorded with its error while it waits for the next one', async () => {
    statuses.push(503, 503, 503, 503, 503, 503, 503, 503);
    const id = await completeSession('app-hook-3');
    const row = await eventually(async () => {
      const [r] = await t.service.store.listOutbound(id);
      return r && r.attempts >= 1 && r.lastError ? r : undefined;
    }, 'a recorded failed attempt');
    expect(row.status).toBe('pending');
    expect(row.lastError).toBe('HTTP 503');
    statuses.length = 0; // let it through
    const done = await eventually(async () => {
      const [r] = await t.service.store.listOutbound(id);
      return r?.status === 'delivered' ? r : undefined;
    }, 'the delivery once the receiver recovers');
    expect(done.attempts).toBeGreaterThan(1);
  });
});
