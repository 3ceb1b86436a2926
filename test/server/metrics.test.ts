/**
 * GET /metrics through real sockets: a docv-qr session run end to end on the embedded sandbox moves the counters
 * it should (sessions, the wait, Socure calls, webhooks, HTTP routes, store calls, callbacks, the open event
 * stream), the output is Prometheus text that names no session, person or transaction, and only the token (or,
 * without one, a client on this machine) reads it. Runs on SQLite and on PostgreSQL (the `postgres` project).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestDelivery } from '../../src/webhooks/test-helpers.js';
import { eventually } from '../support/eventually.js';
import { type EventStream, openEventStream } from './event-stream.js';
import {
  createSession,
  startTestService,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const SECRET = 'metrics-webhook-secret-0123456789';

/** An app webhook receiver answering every callback with `status`; counts what it got. */
async function startReceiver(
  status: number,
): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One sample of the exposition: `name{a="x",b="y"} value`, labels in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (have.size !== Object.keys(labels).length) continue;
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

/** GET /metrics over a real socket, from `base` (another address of the same service, e.g. its LAN one). */
async function scrape(base: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/metrics`, { headers, signal: AbortSignal.timeout(8_000) });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

describe('GET /metrics with METRICS_TOKEN, after a docv-qr session run end to end', () => {
  let t: TestService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stream: EventStream | undefined;
  const metrics = async () => {
    const res = await scrape(t.service.url, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    return res.text;
  };
  const customerUserId = `metrics-person-${randomUUID()}`;
  let session: { id: string; path: string };
  let token: string;
  let referenceId: string;
  let outcome: string;

  beforeAll(async () => {
    receiver = await startReceiver(200);
    t = await startTestService({
      metricsToken: TOKEN,
      webhookSecrets: [SECRET],
      appWebhookUrl: receiver.url,
    });
    session = await createSession(t, { flow: 'docv-qr', customerUserId });
    expect((await t.http(session.path)).status).toBe(200);
    token = await waitToken(t, session.id);
    referenceId = (await t.service.store.getSession(session.id))!.waitReferenceId!;
  });
  afterAll(async () => {
    stream?.close();
    await t?.close();
    await receiver?.close();
  });

  it('counts the open event stream and the waiting session while the page waits', async () => {
    stream = await openEventStream(`${t.service.url}${session.path}/events`, { cookie: t.cookie() });
    expect(stream.status).toBe(200);
    const text = await metrics();
    expect(sample(text, 'socure_connector_sse_connections')).toBe(1);
    expect(sample(text, 'socure_connector_sessions_in_progress', { status: 'waiting' })).toBe(1);
    expect(sample(text, 'socure_connector_sessions_started_total', { flow: 'docv-qr' })).toBe(1);
    expect(
      sample(text, 'socure_connector_sessions_ended_total', { flow: 'docv-qr', outcome: 'verified' }),
    ).toBe(undefined);
  });

  it('counts the session ended with its outcome, its wait, its Socure calls and its callback', async () => {
    await triggerSandbox(t, token, 'complete-accept');
    const done = await waitForCompletion(t, session.id);
    outcome = done.outcome!;
    expect(outcome).toBe('verified');
    await eventually(() => receiver.received() === 1, 'the app callback');
    const text = await eventually(async () => {
      const now = await metrics();
      return sample(now, 'socure_connector_callback_attempts_total', { result: 'delivered' }) === 1 && now;
    }, 'the delivered callback counted');

    expect(sample(text, 'socure_connector_sessions_ended_total', { flow: 'docv-qr', outcome })).toBe(1);
    expect(sample(text, 'socure_connector_sessions_in_progress', { status: 'waiting' })).toBe(0);
    expect(
      sample(text, 'socure_connector_wait_duration_seconds_count', {
        flow: 'docv-qr',
        resolved_by: 'webhook',
      }),
    ).toBe(1);
    // The DocV transaction (one POST), then the result fetched through ID+ after the webhook.
    const docv = { endpoint: '/api/5.0/documents/request', method: 'POST' };
    expect(sample(text, 'socure_connector_socure_request_duration_seconds_count', docv)).toBe(1);
    expect(
      sample(text, 'socure_connector_socure_requests_total', { ...docv, status: '200', error: 'none' }),
    ).toBe(1);
    const idPlus = { endpoint: '/api/3.0/EmailAuthScore', method: 'POST' };
    expect(
      sample(text, 'socure_connector_socure_request_duration_seconds_count', idPlus),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'socure_connector_callbacks', { status: 'pending' })).toBe(0);
    // The sandbox's deliveries: the one that resolved the wait was committed once.
    expect(
      sample(text, 'socure_connector_webhook_deliveries_total', {
        event_type: 'VERIFICATION_COMPLETED',
        result: 'inserted',
        reason: 'none',
      }),
    ).toBe(1);
    // Routes as patterns, the session's page among them.
    expect(
      sample(text, 'socure_connector_http_request_duration_seconds_count', {
        route: '/api/sessions',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
    expect(
      sample(text, 'socure_connector_http_request_duration_seconds_count', {
        route: '/s/:id/:sig',
        method: 'GET',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'socure_connector_store_query_duration_seconds_count', { method: 'createSession' }),
    ).toBe(1);
    expect(
      sample(text, 'socure_connector_store_query_duration_seconds_count', { method: 'commitStep' }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('counts a delivery inserted, then its duplicate, then a refused one', async () => {
    const labels = (result: string, reason = 'none', event_type = 'CONSENT_DECLINED') => ({
      event_type,
      result,
      reason,
    });
    const before = await metrics();
    const delivery = JSON.stringify(
      buildTestDelivery({ eventType: 'CONSENT_DECLINED', docvTransactionToken: randomUUID() }),
    );
    const hook = new URL(t.service.webhookUrl).pathname;
    const post = (authorization: string) =>
      t.http(hook, {
        method: 'POST',
        body: delivery,
        headers: { 'content-type': 'application/json', authorization },
      });
    expect((await post(SECRET)).json()).toEqual({ received: true, duplicate: false });
    expect((await post(SECRET)).json()).toEqual({ received: true, duplicate: true });
    expect((await post('not-the-secret')).status).toBe(401);
    const after = await metrics();
    const delta = (l: Record<string, string>) =>
      (sample(after, 'socure_connector_webhook_deliveries_total', l) ?? 0) -
      (sample(before, 'socure_connector_webhook_deliveries_total', l) ?? 0);
    expect(delta(labels('inserted'))).toBe(1);
    expect(delta(labels('duplicate'))).toBe(1);
    expect(delta(labels('refused', 'invalid_authorization', 'unknown'))).toBe(1);
    // The delivery matched no session: it waits in the inbox.
    expect(sample(after, 'socure_connector_inbox_backlog', { state: 'unconsumed' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('drops the stream from the gauge once it closes', async () => {
    stream!.close();
    await eventually(
      async () => sample(await metrics(), 'socure_connector_sse_connections') === 0,
      'the closed stream to leave the gauge',
    );
  });

  it('is Prometheus text with process metrics, naming no session, person, transaction or secret', async () => {
    const res = await scrape(t.service.url, { authorization: `Bearer ${TOKEN}` });
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = res.text.split('\n');
    expect(lines).toContain('# HELP socure_connector_sessions_started_total Sessions started, by flow');
    expect(lines).toContain('# TYPE socure_connector_sessions_started_total counter');
    expect(lines).toContain('socure_connector_sessions_started_total{flow="docv-qr"} 1');
    expect(lines).toContain('# TYPE socure_connector_wait_duration_seconds histogram');
    expect(lines).toContain(
      'socure_connector_wait_duration_seconds_bucket{le="+Inf",flow="docv-qr",resolved_by="webhook"} 1',
    );
    expect(lines).toContain('# TYPE socure_connector_sse_connections gauge');
    expect(lines).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(sample(res.text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Every line a comment or a sample (prom-client writes NaN as `Nan`, which Prometheus's float parser takes).
    for (const line of lines.filter(Boolean))
      expect(line).toMatch(
        /^(# (HELP|TYPE) \S+ .+|[a-zA-Z_:][\w:]*(\{.*\})? (-?[\d.e+-]+|Nan|NaN|[+-]Inf))$/,
      );
    for (const secret of [session.id, customerUserId, token, referenceId, t.service.apiKey, TOKEN, SECRET])
      expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain(new URL(t.service.webhookUrl).pathname.split('/').at(-1));
  });

  it('refuses a scrape without the token or with another one (401, JSON), even from this machine', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-the-metrics-token' },
      { authorization: TOKEN }, // the token without the Bearer scheme
    ];
    for (const headers of attempts) {
      const res = await scrape(t.service.url, headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({
        error: 'unauthorized',
        message: expect.stringContaining('METRICS_TOKEN'),
      });
    }
  });
});

describe('GET /metrics without METRICS_TOKEN: clients on this machine only', () => {
  let t: TestService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

  beforeAll(async () => {
    receiver = await startReceiver(500);
    t = await startTestService(
      { host: '0.0.0.0', publicUrl: 'http://127.0.0.1:0', appWebhookUrl: receiver.url },
      { appWebhookRetryBaseMs: 60_000 },
    );
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const port = () => new URL(t.service.url).port;

  it('answers a loopback client', async () => {
    const res = await scrape(`http://127.0.0.1:${port()}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('# TYPE socure_connector_http_request_duration_seconds histogram');
  });

  it.skipIf(lan === undefined)(
    'refuses a client on another address (403, JSON, saying how to allow it)',
    async () => {
      const res = await scrape(`http://${lan}:${port()}`);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({
        error: 'forbidden',
        message: expect.stringContaining('METRICS_TOKEN'),
      });
    },
  );

  it('refuses a request a local proxy relays (X-Forwarded-For) when TRUST_PROXY names none', async () => {
    const res = await scrape(`http://127.0.0.1:${port()}`, { 'x-forwarded-for': '203.0.113.9' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).message).toContain('TRUST_PROXY');
  });

  it('counts a failing callback as retrying and pending', async () => {
    const created = await createSession(t, { flow: 'docv-qr', customerUserId: `metrics-${randomUUID()}` });
    const cancelled = await t.api(`/api/sessions/${created.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    await eventually(() => receiver.received() >= 1, 'the callback attempt');
    const text = await eventually(async () => {
      const res = await scrape(`http://127.0.0.1:${port()}`);
      return (
        sample(res.text, 'socure_connector_callback_attempts_total', { result: 'retrying' }) === 1 && res.text
      );
    }, 'the failed attempt counted');
    expect(sample(text, 'socure_connector_callbacks', { status: 'pending' })).toBe(1);
    expect(sample(text, 'socure_connector_callback_attempts_total', { result: 'delivered' })).toBe(undefined);
    expect(
      sample(text, 'socure_connector_sessions_ended_total', { flow: 'docv-qr', outcome: 'cancelled' }),
    ).toBe(1);
  });
});
