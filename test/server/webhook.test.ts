import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FLOWS_DIR } from '../../src/server/config.js';
import { buildTestDelivery } from '../../src/webhooks/test-helpers.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  startTestService,
  submitScreen,
  type TestService,
  waitForCompletion,
} from './helpers.js';

const SECRET = 'test-webhook-secret-0123456789';

/** A flow whose wait opens only after a screen, keyed by customerUserId: lets a delivery arrive first. */
const EARLY_FLOW = {
  id: 'early-wait',
  title: 'Wait after a screen',
  start: 'ready',
  nodes: {
    ready: { type: 'screen', title: 'Ready?', fields: [], next: 'wait' },
    wait: {
      type: 'wait',
      title: 'Waiting for your phone',
      challenge: { customerUserId: '{{session.customerUserId}}' },
      events: ['VERIFICATION_COMPLETED'],
      timeout: '5m',
      branches: { resolved: 'done', timeout: 'late' },
    },
    done: {
      type: 'end',
      outcome: 'verified',
      title: 'Done',
      result: { event: '{{wait.rawResponse.event.eventType}}' },
    },
    late: { type: 'end', outcome: 'expired', title: 'Too late' },
  },
};

let t: TestService;
let hookPath: string;
let flowsDir: string;

beforeAll(async () => {
  flowsDir = join(process.env.TMPDIR ?? '/tmp', `socure-webhook-flows-${randomUUID()}`);
  mkdirSync(flowsDir);
  for (const name of readdirSync(DEFAULT_FLOWS_DIR))
    copyFileSync(join(DEFAULT_FLOWS_DIR, name), join(flowsDir, name));
  writeFileSync(join(flowsDir, 'early-wait.json'), JSON.stringify(EARLY_FLOW));
  t = await startTestService({ flowsDir, webhookSecrets: [SECRET] });
  hookPath = new URL(t.service.webhookUrl).pathname;
});
afterAll(async () => {
  await t?.close();
  if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
});

const deliver = (
  body: unknown,
  headers: Record<string, string> = { authorization: SECRET },
  path = hookPath,
) =>
  t.http(path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

async function timelineTypes(sessionId: string): Promise<string[]> {
  return (await t.service.store.listTimeline(sessionId)).map((e) => e.type);
}

describe('POST /webhooks/socure/<path>', () => {
  it('404 on any other path, even with the right secret', async () => {
    const body = buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED' });
    for (const path of ['/webhooks/socure/wrong-path', `${hookPath}x`, '/webhooks/socure/']) {
      const res = await deliver(body, { authorization: SECRET }, path);
      expect(res.status, path).toBe(404);
    }
  });

  it('401 without the secret or with a wrong one; nothing is stored', async () => {
    const body = buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED', customerUserId: 'unauth-user' });
    const missing = await deliver(body, {});
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ error: 'missing_authorization' });
    const wrong = await deliver(body, { authorization: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_authorization' });
    expect(wrong.text).not.toContain(SECRET);
    expect(
      await t.service.store.findDeliveries({ customerUserId: 'unauth-user' }, ['DOCUMENTS_UPLOADED']),
    ).toHaveLength(0);
  });

  it('accepts the secret as Bearer too, and the embedded sandbox secret', async () => {
    const res = await deliver(buildTestDelivery({ eventType: 'APP_OPENED' }), {
      authorization: `Bearer ${SECRET}`,
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['{ not json', 'invalid_json'],
    ['', 'empty_body'],
    ['[1,2]', 'body_not_object'],
    [JSON.stringify({ event: { eventType: 'APP_OPENED' } }), 'missing_id'],
    [JSON.stringify({ id: 'x-1' }), 'missing_event'],
    [JSON.stringify({ id: 'x-2', event: 'APP_OPENED' }), 'event_not_object'],
    [JSON.stringify({ id: 'x-3', event: { data: {} } }), 'missing_event_type'],
  ])('400 with the reason for a bad body %j', async (body, reason) => {
    const res = await deliver(body);
    expect(res.status).toBe(400);
    const json = res.json<{ error: string; message: string }>();
    expect(json.error).toBe(reason);
    expect(json.message).toBeTruthy();
  });

  it('a valid delivery is committed before the 200', async () => {
    const body = buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED', customerUserId: 'stored-user' });
    const res = await deliver(body);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    // No polling: it must be in the store by the time the 200 arrived.
    const stored = await t.service.store.findDeliveries(
      { customerUserId: t.service.store.lookupHash('stored-user') },
      ['DOCUMENTS_UPLOADED'],
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      deliveryId: body.id,
      eventType: 'DOCUMENTS_UPLOADED',
      authenticated: true,
      consumedBy: null,
    });
    expect(JSON.parse(stored[0]!.payload)).toEqual(body);
  });

  it('the same delivery twice (also concurrently): 200 both times, the session resumes once', async () => {
    const user = `dup-${randomUUID()}`;
    const { id, path } = await createSession(t, { flow: 'early-wait', customerUserId: user });
    expect((await submitScreen(t, path, {})).status).toBe(303);
    await eventually(
      async () => (await t.service.store.getSession(id))?.status === 'waiting',
      'the session to wait',
    );

    const body = buildTestDelivery({ eventType: 'VERIFICATION_COMPLETED', customerUserId: user });
    const [a, b] = await Promise.all([deliver(body), deliver(body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.json().duplicate, b.json().duplicate].sort()).toEqual([false, true]);
    const again = await deliver(body); // Socure's retry after a lost 200
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true });

    const done = await waitForCompletion(t, id);
    expect(done.outcome).toBe('verified');
    const types = await timelineTypes(id);
    expect(types.filter((x) => x === 'resumed')).toHaveLength(1);
    expect(types.filter((x) => x === 'completed')).toHaveLength(1);
  });

  it('a delivery for a session that is not waiting yet is kept and consumed when the wait begins', async () => {
    const user = `early-${randomUUID()}`;
    const { id, path } = await createSession(t, { flow: 'early-wait', customerUserId: user });
    const body = buildTestDelivery({ eventType: 'VERIFICATION_COMPLETED', customerUserId: user });
    const res = await deliver(body);
    expect(res.status).toBe(200);
    // Nothing waits yet: the session is still on its screen and the delivery sits in the inbox.
    expect((await t.service.store.getSession(id))?.status).toBe('input');
    expect(
      (
        await t.service.store.findDeliveries({ customerUserId: t.service.store.lookupHash(user) }, [
          'VERIFICATION_COMPLETED',
        ])
      )[0]?.consumedBy,
    ).toBeNull();

    expect((await submitScreen(t, path, {})).status).toBe(303);
    const done = await waitForCompletion(t, id);
    expect(done.outcome).toBe('verified');
    const consumed = await t.service.store.findDeliveries(
      { customerUserId: t.service.store.lookupHash(user) },
      ['VERIFICATION_COMPLETED'],
    );
    expect(consumed[0]?.consumedBy).toBe(id);
    expect((await timelineTypes(id)).filter((x) => x === 'resumed')).toHaveLength(1);
    const data = await t.service.store.getSessionData(id);
    expect(data?.result).toEqual({ event: 'VERIFICATION_COMPLETED' });
  });

  it('a store failure answers 500 (so Socure retries), never 2xx; the retry is then accepted', async () => {
    const store = t.service.store;
    const original = store.insertDelivery;
    store.insertDelivery = async () => {
      throw new Error('disk I/O error');
    };
    const body = buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED', customerUserId: 'failing-store' });
    try {
      const res = await deliver(body);
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({ error: 'internal_error' });
      expect(res.text).not.toContain('disk I/O');
    } finally {
      store.insertDelivery = original;
    }
    expect(
      await store.findDeliveries({ customerUserId: 'failing-store' }, ['DOCUMENTS_UPLOADED']),
    ).toHaveLength(0);
    const retry = await deliver(body);
    expect(retry.status).toBe(200);
    expect(retry.json()).toMatchObject({ duplicate: false });
  });
});

describe('with the store closed', () => {
  let closed: TestService;
  beforeAll(async () => {
    closed = await startTestService({ webhookSecrets: [SECRET] });
  });
  afterAll(async () => {
    await closed?.close();
  });

  it('a delivery answers 500, never 2xx', async () => {
    await closed.service.store.close();
    const res = await closed.http(new URL(closed.service.webhookUrl).pathname, {
      method: 'POST',
      body: JSON.stringify(buildTestDelivery({ eventType: 'DOCUMENTS_UPLOADED' })),
      headers: { 'content-type': 'application/json', authorization: SECRET },
    });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error' });
  });
});
