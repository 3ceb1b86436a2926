import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_KEYS } from '../../src/sandbox/index.js';
import { eventually } from '../support/eventually.js';
import {
  http,
  postForm,
  postJson,
  type Receiver,
  type Rig,
  startReceiver,
  startRig,
} from './docv-support.js';

describe('admin: webhooks, IPs & Domains, keys (real sockets)', () => {
  // A sandbox and receivers per test: the tests add and delete subscriptions and read what was delivered.
  let rig: Rig;
  let other: Receiver;
  let failing: Receiver;
  beforeEach(async () => {
    rig = await startRig();
    other = await startReceiver();
    failing = await startReceiver(() => 500);
  });
  afterEach(async () => {
    await rig?.close();
    await other?.close();
    await failing?.close();
  });
  const api = (path: string) => `${rig.sandbox.url}/admin/api${path}`;

  it('lists the subscription created from options, without its secret', async () => {
    const res = await http(api('/subscriptions'));
    expect(res.json.subscriptions).toEqual([
      {
        id: expect.any(String),
        environment: 'sandbox',
        subscriptionType: 'Document Verification',
        name: 'test receiver',
        url: rig.receiver.url,
        certificate: null,
        knobs: { duplicate: false, outOfOrder: false, delayMs: 0 },
        createdAt: expect.any(String),
        hasSecret: true,
      },
    ]);
    expect(res.text).not.toContain('whsec-');
  });

  it('create / get / list by environment / test / delete', async () => {
    const created = await postJson(api('/subscriptions'), {
      environment: 'certification',
      subscriptionType: 'Document Verification',
      name: 'DaVinci',
      url: other.url,
    });
    expect(created.status, created.text).toBe(201);
    const sub = created.json.subscription;
    expect(sub).toMatchObject({
      environment: 'certification',
      name: 'DaVinci',
      hasSecret: false,
      certificate: null,
    });
    expect((await http(api(`/subscriptions/${sub.id}`))).json.subscription.id).toBe(sub.id);
    expect((await http(api('/subscriptions?environment=certification'))).json.subscriptions).toHaveLength(1);
    expect((await http(api('/subscriptions?environment=sandbox'))).json.subscriptions).toHaveLength(1);
    expect((await http(api('/subscriptions?environment=moon'))).status).toBe(400);

    const test = await postJson(api(`/subscriptions/${sub.id}/test`), {});
    expect(test.json).toMatchObject({
      ok: true,
      statusCode: 200,
      referenceId: expect.stringMatching(/^test-/),
    });
    expect(other.received[0]!.body).toMatchObject({
      id: test.json.deliveryId,
      eventGroup: 'DocvNotification',
      reason: 'WAITING_FOR_USER_TO_REDIRECT',
      environmentName: 'Certification',
      event: {
        eventType: 'WAITING_FOR_USER_TO_REDIRECT',
        referenceId: test.json.referenceId,
        message: 'Process Initiated',
      },
    });
    const log = (await http(api(`/subscriptions/${sub.id}/deliveries`))).json.deliveries;
    expect(log[0]).toMatchObject({ status: 'test_ok', statusCode: 200, attempt: 1 });

    expect((await http(api(`/subscriptions/${sub.id}`), { method: 'DELETE' })).status).toBe(204);
    expect((await http(api(`/subscriptions/${sub.id}`), { method: 'DELETE' })).status).toBe(404);
    expect((await http(api('/subscriptions?environment=certification'))).json.subscriptions).toEqual([]);
  });

  it('Test reports the receiver’s status code or the connection error', async () => {
    const bad = await postJson(api('/subscriptions'), {
      name: 'failing',
      url: failing.url,
      environment: 'production',
    });
    const res = await postJson(api(`/subscriptions/${bad.json.subscription.id}/test`), {});
    expect(res.json).toMatchObject({ ok: false, statusCode: 500 });
    const gone = await startReceiver();
    await gone.close();
    const down = await postJson(api('/subscriptions'), {
      name: 'down',
      url: gone.url,
      environment: 'production',
    });
    const res2 = await postJson(api(`/subscriptions/${down.json.subscription.id}/test`), {});
    expect(res2.json).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(res2.json.statusCode).toBeUndefined();
  });

  it.each([
    [{ name: 'x' }, ['url']],
    [{ url: 'ftp://x' }, ['url']],
    [{ url: 'http://x', environment: 'staging' }, ['environment']],
    [{ url: 'http://x', subscriptionType: 'Watchlist' }, ['subscriptionType']],
    [{ url: 'http://x', secret: 'has space' }, ['secret']],
    [{ url: 'http://x', certificate: 'PEM' }, ['certificate']],
  ])('refuses %j naming %j', async (body, parameters) => {
    const res = await postJson(api('/subscriptions'), body);
    expect(res.status).toBe(400);
    expect(res.json.data.parameters).toEqual(parameters);
  });

  it('knobs: validated and shown', async () => {
    const id = (await http(api('/subscriptions'))).json.subscriptions[0].id;
    expect((await postJson(api(`/subscriptions/${id}/knobs`), { delayMs: 'soon' })).status).toBe(400);
    const ok = await postJson(api(`/subscriptions/${id}/knobs`), { delayMs: 5 });
    expect(ok.json.subscription.knobs).toEqual({ duplicate: false, outOfOrder: false, delayMs: 5 });
    await postJson(api(`/subscriptions/${id}/knobs`), { delayMs: 0 });
  });

  it('IPs & Domains: defaults, add, refuse junk, delete', async () => {
    expect((await http(api('/allowlist'))).json.entries).toEqual(['localhost', '127.0.0.1', '::1']);
    const added = await postJson(api('/allowlist'), { entry: 'Auth.PingOne.com' });
    expect(added.status).toBe(201);
    expect(added.json.entry).toBe('auth.pingone.com');
    expect((await postJson(api('/allowlist'), { entry: 'not a host!' })).status).toBe(400);
    expect((await postJson(api('/allowlist'), { entry: '[::1]' })).json.entries).toContain('::1');
    expect((await http(api('/allowlist/auth.pingone.com'), { method: 'DELETE' })).status).toBe(204);
    expect((await http(api('/allowlist/auth.pingone.com'), { method: 'DELETE' })).status).toBe(404);
    expect((await http(api('/keys'))).json.keys).toEqual(DEFAULT_SANDBOX_KEYS);
  });

  it('admin pages: the seed’s New Webhook form, labelled, certificate disabled; forms post urlencoded', async () => {
    const page = await http(`${rig.sandbox.url}/admin`);
    expect(page.status).toBe(200);
    for (const label of [
      'Subscription Type',
      'Subscription Channel Name',
      'Webhook URL',
      'Secret Key',
      'Choose certificate',
    ]) {
      expect(page.text).toContain(label);
    }
    expect(page.text).toContain('<input type="file" id="certificate" name="certificate" disabled>');
    for (const id of [...page.text.matchAll(/<(?:input|select)[^>]*\bid="([^"]+)"/g)].map((m) => m[1])) {
      expect(page.text, `label for ${id}`).toContain(`for="${id}"`);
    }
    expect(page.text).toContain(DEFAULT_SANDBOX_KEYS.sandbox.sdkKey);

    const created = await postForm(`${rig.sandbox.url}/admin/webhooks`, {
      environment: 'production',
      subscriptionType: 'Document Verification',
      name: 'from the form',
      url: other.url,
      secret: '',
    });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/admin?environment=production');
    const prodPage = await http(`${rig.sandbox.url}/admin?environment=production`);
    expect(prodPage.text).toContain('from the form');
    const sub = (await http(api('/subscriptions?environment=production'))).json.subscriptions.find(
      (s: { name: string }) => s.name === 'from the form',
    );
    expect(sub.hasSecret).toBe(false);

    const before = other.received.length;
    const tested = await postForm(`${rig.sandbox.url}/admin/webhooks/${sub.id}/test`, {});
    expect(tested.text).toContain('Test succeeded: the receiver answered 200');
    await eventually(() => other.received.length === before + 1, 'test delivery');

    await postForm(`${rig.sandbox.url}/admin/webhooks/${sub.id}/knobs`, { duplicate: 'true', delayMs: '10' });
    expect((await http(api(`/subscriptions/${sub.id}`))).json.subscription.knobs).toEqual({
      duplicate: true,
      outOfOrder: false,
      delayMs: 10,
    });
    expect((await http(`${rig.sandbox.url}/admin/webhooks/${sub.id}`)).text).toContain('test_ok');
    const invalid = await postForm(`${rig.sandbox.url}/admin/webhooks`, { url: 'nope', name: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('url must be an absolute http(s) URL');

    expect(
      (await postForm(`${rig.sandbox.url}/admin/allowlist`, { entry: 'flows.example.org' })).status,
    ).toBe(303);
    expect((await http(api('/allowlist'))).json.entries).toContain('flows.example.org');
    expect(
      (await postForm(`${rig.sandbox.url}/admin/allowlist/delete`, { entry: 'flows.example.org' })).status,
    ).toBe(303);
    expect((await http(api('/allowlist'))).json.entries).not.toContain('flows.example.org');

    expect((await postForm(`${rig.sandbox.url}/admin/webhooks/${sub.id}/delete`, {})).status).toBe(303);
    expect((await http(api(`/subscriptions/${sub.id}`))).status).toBe(404);
  });
});
