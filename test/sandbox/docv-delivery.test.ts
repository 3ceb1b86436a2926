import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs, startSandbox } from '../../src/sandbox/index.js';
import { verifyAndParse } from '../../src/webhooks/index.js';
import { eventually } from '../support/eventually.js';
import {
  deliveriesOf,
  docvRequest,
  FULL_SEQUENCE,
  http,
  type Plan,
  postJson,
  type Receiver,
  type Rig,
  SECRET,
  startReceiver,
  startRig,
  typesOf,
} from './docv-support.js';

const rigs: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});
async function rig(plan?: Plan, options = {}): Promise<Rig> {
  const r = await startRig(plan, options);
  rigs.push(r);
  return r;
}
async function begin(r: Rig, body: Record<string, unknown> = {}, key?: string) {
  const res = await docvRequest(r, body, 'v5', key);
  expect(res.status, res.text).toBe(200);
  return res.json as { referenceId: string; data: { docvTransactionToken: string; url: string } };
}
const trigger = (r: Rig, token: string, scenario: string) =>
  postJson(`${r.sandbox.url}/sandbox/transactions/${token}/trigger`, { scenario });
const txKnobs = (r: Rig, token: string, knobs: Record<string, unknown>) =>
  postJson(`${r.sandbox.url}/sandbox/transactions/${token}/knobs`, knobs);
const subscriptionId = async (r: Rig) =>
  (await http(`${r.sandbox.url}/admin/api/subscriptions`)).json.subscriptions[0].id as string;
const deliveryLog = async (r: Rig) =>
  (await http(`${r.sandbox.url}/admin/api/subscriptions/${await subscriptionId(r)}/deliveries`)).json
    .deliveries;

describe('webhook delivery (real sockets, retry base 50 ms)', () => {
  it('the schedule is base·2^(n-1), at most 8 attempts', () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(1000, n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 64000,
    ]);
  });

  it('retries a 500 twice with backoff, then delivers; same id each time; logged per attempt', async () => {
    const r = await rig((n) => (n < 2 ? 500 : 200));
    const tx = await begin(r);
    const got = await eventually(() => r.receiver.received.length >= 3 && r.receiver.received, '3 attempts');
    expect(new Set(got.map((g) => g.body.id)).size).toBe(1);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(45);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(95);
    expect(deliveriesOf(r.receiver, tx.referenceId)[0]!.eventType).toBe('WAITING_FOR_USER_TO_REDIRECT');
    const log = await eventually(async () => {
      const l = await deliveryLog(r);
      return l.length >= 3 && l;
    }, 'log');
    expect(
      log.map((e: { attempt: number; status: string; statusCode: number }) => [
        e.attempt,
        e.status,
        e.statusCode,
      ]),
    ).toEqual([
      [3, 'delivered', 200],
      [2, 'retrying', 500],
      [1, 'retrying', 500],
    ]);
    expect(log[2].nextAttemptInMs).toBe(50);
    expect(log[1].nextAttemptInMs).toBe(100);
  });

  it('gives up after 8 attempts and records it; later events of the transaction still go out', async () => {
    let failing = true;
    const r = await rig(() => (failing ? 503 : 200));
    const tx = await begin(r);
    const log = await eventually(
      async () => {
        const l = await deliveryLog(r);
        return l.some((e: { status: string }) => e.status === 'given_up') && l;
      },
      'given_up',
      { timeoutMs: 12_000 },
    );
    expect(r.receiver.received.length).toBe(MAX_DELIVERY_ATTEMPTS);
    expect(log[0]).toMatchObject({
      attempt: 8,
      status: 'given_up',
      statusCode: 503,
      eventType: 'WAITING_FOR_USER_TO_REDIRECT',
    });
    failing = false;
    await http(tx.data.url);
    await eventually(() => r.receiver.received.length === MAX_DELIVERY_ATTEMPTS + 1, 'APP_OPENED');
    expect(r.receiver.received.at(-1)!.body.event.eventType).toBe('APP_OPENED');
  }, 20_000);

  it('a timeout or a refused connection counts as a failure and is retried', async () => {
    const r = await rig((n) => (n === 0 ? 'hang' : 200), { deliveryTimeoutMs: 200 });
    const tx = await begin(r);
    await eventually(() => deliveriesOf(r.receiver, tx.referenceId).length >= 2, 'retry after timeout');
    const log = await eventually(async () => {
      const l = await deliveryLog(r);
      return l.length >= 2 && l;
    }, 'log');
    expect(log[1]).toMatchObject({ attempt: 1, status: 'retrying', error: 'timeout after 200 ms' });
    expect(log[0]).toMatchObject({ attempt: 2, status: 'delivered', statusCode: 200 });

    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const sub = await postJson(`${r.sandbox.url}/admin/api/subscriptions`, { name: 'down', url });
    await begin(r);
    const downLog = await eventually(async () => {
      const l = (
        await http(`${r.sandbox.url}/admin/api/subscriptions/${sub.json.subscription.id}/deliveries`)
      ).json.deliveries;
      return l.length >= 2 && l;
    }, 'refused attempts');
    expect(downLog[0]).toMatchObject({ status: 'retrying', error: 'ECONNREFUSED' });
  });

  it('keeps a transaction’s events in order while one of them is being retried', async () => {
    const r = await rig((n) => (n === 0 ? 500 : 200));
    const tx = await begin(r);
    expect((await trigger(r, tx.data.docvTransactionToken, 'complete-accept')).status).toBe(200);
    const d = await eventually(() => {
      const x = deliveriesOf(r.receiver, tx.referenceId);
      return x.length >= 9 && x;
    }, '9 deliveries');
    expect(typesOf(d)).toEqual([FULL_SEQUENCE[0], ...FULL_SEQUENCE]);
  });

  it('duplicate (subscription knob): every event twice with the same id', async () => {
    const r = await rig();
    const id = await subscriptionId(r);
    const set = await postJson(`${r.sandbox.url}/admin/api/subscriptions/${id}/knobs`, { duplicate: true });
    expect(set.json.subscription.knobs).toEqual({ duplicate: true, outOfOrder: false, delayMs: 0 });
    const tx = await begin(r);
    await http(tx.data.url);
    const d = await eventually(() => {
      const x = deliveriesOf(r.receiver, tx.referenceId);
      return x.length >= 4 && x;
    }, '4 deliveries');
    expect(typesOf(d)).toEqual([
      'WAITING_FOR_USER_TO_REDIRECT',
      'WAITING_FOR_USER_TO_REDIRECT',
      'APP_OPENED',
      'APP_OPENED',
    ]);
    expect(d[0]!.id).toBe(d[1]!.id);
    expect(d[2]!.id).toBe(d[3]!.id);
    expect(d[0]!.id).not.toBe(d[2]!.id);
  });

  it('duplicate and out-of-order (transaction knobs)', async () => {
    const r = await rig();
    const tx = await begin(r);
    const knobs = await txKnobs(r, tx.data.docvTransactionToken, { outOfOrder: true, duplicate: true });
    expect(knobs.json.knobs).toEqual({ duplicate: true, outOfOrder: true, delayMs: 0 });
    await trigger(r, tx.data.docvTransactionToken, 'complete-accept');
    const d = await eventually(() => {
      const x = deliveriesOf(r.receiver, tx.referenceId);
      return x.length >= 15 && x;
    }, '15 deliveries');
    const distinct = typesOf(d).filter((_t, i) => i === 0 || d[i]!.id !== d[i - 1]!.id);
    expect(distinct).toEqual([
      'WAITING_FOR_USER_TO_REDIRECT',
      'APP_OPENED',
      'DOCUMENT_FRONT_UPLOADED',
      'DOCUMENT_BACK_UPLOADED',
      'DOCUMENT_SELFIE_UPLOADED',
      'SESSION_COMPLETE',
      'VERIFICATION_COMPLETED',
      'DOCUMENTS_UPLOADED',
    ]);
    expect(d.length).toBe(1 + 14); // the first event went out before the knob was set
    expect((await txKnobs(r, tx.data.docvTransactionToken, { delayMs: -1 })).status).toBe(400);
  });

  it('out-of-order (subscription knob) puts SESSION_COMPLETE before VERIFICATION_COMPLETED', async () => {
    const r = await rig();
    await postJson(`${r.sandbox.url}/admin/api/subscriptions/${await subscriptionId(r)}/knobs`, {
      outOfOrder: true,
    });
    const tx = await begin(r);
    await trigger(r, tx.data.docvTransactionToken, 'complete-reject');
    const d = await eventually(() => {
      const x = deliveriesOf(r.receiver, tx.referenceId);
      return x.length >= 8 && x;
    }, '8 deliveries');
    expect(typesOf(d).slice(5)).toEqual(['SESSION_COMPLETE', 'VERIFICATION_COMPLETED', 'DOCUMENTS_UPLOADED']);
  });

  it('delayMs holds each delivery back', async () => {
    const r = await rig();
    const tx = await begin(r);
    await eventually(() => deliveriesOf(r.receiver, tx.referenceId).length === 1, 'first delivery');
    await txKnobs(r, tx.data.docvTransactionToken, { delayMs: 300 });
    const opened = Date.now();
    await http(tx.data.url);
    await eventually(() => deliveriesOf(r.receiver, tx.referenceId).length === 2, 'delayed delivery');
    expect(r.receiver.received.at(-1)!.at - opened).toBeGreaterThanOrEqual(290);
  });

  it('authScheme bearer sends "Bearer <secret>"; no secret sends no Authorization', async () => {
    const r = await rig(undefined, { authScheme: 'bearer' });
    const plain = await startReceiver();
    rigs.push(plain);
    await postJson(`${r.sandbox.url}/admin/api/subscriptions`, { name: 'no secret', url: plain.url });
    const tx = await begin(r);
    const [d] = await eventually(() => {
      const x = deliveriesOf(r.receiver, tx.referenceId);
      return x.length >= 1 && x;
    }, 'bearer delivery');
    expect(r.receiver.received[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(d!.authenticated).toBe(true);
    const open = await eventually(() => plain.received[0], 'plain delivery');
    expect(open.headers.authorization).toBeUndefined();
    expect(verifyAndParse({ headers: open.headers, rawBody: open.raw }).authenticated).toBe(false);
  });

  it('delivers only to subscriptions of the key’s environment, naming it', async () => {
    const cert = await startReceiver();
    const prod = await startReceiver();
    const sand = await startReceiver();
    rigs.push(cert, prod, sand);
    const sandbox = await startSandbox({
      port: 0,
      deliveryRetryBaseMs: 50,
      webhooks: [
        { url: cert.url, environment: 'certification' },
        { url: prod.url, environment: 'production', secret: 'p' },
        { url: sand.url, environment: 'sandbox' },
      ],
    });
    rigs.push(sandbox);
    const origIds = (r: Receiver) => r.received.map((x) => x.body.origId);
    const inCert = await docvRequest({ sandbox }, {}, 'v5', sandbox.keys.certification.idPlusKey);
    const inProd = await docvRequest({ sandbox }, {}, 'v5', sandbox.keys.production.idPlusKey);
    const inSandbox = await docvRequest({ sandbox }, {});
    // Each transaction's first event reaches the subscription of its own environment…
    await eventually(
      () => cert.received.length > 0 && prod.received.length > 0 && sand.received.length > 0,
      'one delivery in each environment',
    );
    expect(origIds(cert)).toEqual([inCert.json.referenceId]);
    expect(origIds(prod)).toEqual([inProd.json.referenceId]);
    expect(origIds(sand)).toEqual([inSandbox.json.referenceId]);
    expect(cert.received[0]!.body.environmentName).toBe('Certification');
    expect(prod.received[0]!.body.environmentName).toBe('production');
    expect(sand.received[0]!.body.environmentName).toBe('Sandbox');
    // …and only there: the sandbox's own log of attempts, per subscription, names one transaction each.
    const subscriptions = (await http(`${sandbox.url}/admin/api/subscriptions`)).json.subscriptions as Array<{
      id: string;
      url: string;
    }>;
    const logged = async (url: string) => {
      const sub = subscriptions.find((x) => x.url === url)!;
      const log = (await http(`${sandbox.url}/admin/api/subscriptions/${sub.id}/deliveries`)).json.deliveries;
      return (log as Array<{ referenceId: string }>).map((x) => x.referenceId);
    };
    expect(await logged(cert.url)).toEqual([inCert.json.referenceId]);
    expect(await logged(prod.url)).toEqual([inProd.json.referenceId]);
    expect(await logged(sand.url)).toEqual([inSandbox.json.referenceId]);
  });
});
