import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/connector/settings.js';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { startRealKeyService, startTestService, type TestService } from './helpers.js';

/** The flow ids the index page offers (its start forms). */
const listed = (html: string) =>
  [...html.matchAll(/action="\/flows\/([a-z0-9-]+)\/start"/g)].map((m) => m[1]);

/** A non-public flow answers exactly like a flow that does not exist: no hint about why. */
async function expectHidden(t: TestService, flowId: string) {
  const page = await t.http(`/flows/${flowId}`);
  const unknown = await t.http('/flows/no-such-flow');
  expect(page.status).toBe(404);
  expect(page.text).toBe(unknown.text);
  expect(page.text).not.toMatch(/bill|public|PUBLIC_FLOWS|sessions API/i);
  const start = await t.http(`/flows/${flowId}/start`, { form: { csrf: 'x' } });
  expect(start.status).toBe(404); // refused before the form token is even looked at
  expect(start.text).toBe(page.text);
}

async function startsThroughApi(t: TestService, flow: string) {
  const res = await t.api('/api/sessions', { json: { flow, customerUserId: `pf-${flow}` } });
  expect(res.status).toBe(201);
  const page = await t.http(res.json<{ url: string }>().url);
  expect(page.status).toBe(200);
}

describe('PUBLIC_FLOWS on the embedded sandbox', () => {
  it('defaults to all: every flow is listed and can be opened', async () => {
    const t = await startTestService();
    try {
      expect(t.service.flows.every((f) => f.public)).toBe(true);
      expect(listed((await t.http('/')).text).sort()).toEqual(t.service.flows.map((f) => f.id).sort());
      expect((await t.http('/flows/docv-qr')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('a list: only those flows are listed and open; the others 404 like unknown ones; the API starts any', async () => {
    const t = await startTestService({ publicFlows: ['idplus-score'] });
    try {
      expect(listed((await t.http('/')).text)).toEqual(['idplus-score']);
      expect((await t.http('/flows/idplus-score')).status).toBe(200);
      await expectHidden(t, 'docv-qr');
      await startsThroughApi(t, 'docv-qr');
      expect(t.service.flows.filter((f) => f.public).map((f) => f.id)).toEqual(['idplus-score']);
    } finally {
      await t.close();
    }
  });

  it('none: the index offers nothing to start', async () => {
    const t = await startTestService({ publicFlows: 'none' });
    try {
      const index = await t.http('/');
      expect(index.status).toBe(200);
      expect(listed(index.text)).toEqual([]);
      expect(index.text).toContain('There is nothing to start here');
      await expectHidden(t, 'idplus-score');
      await startsThroughApi(t, 'idplus-score');
    } finally {
      await t.close();
    }
  });

  it('an unknown flow id is refused at start, naming the setting', async () => {
    const err = await startTestService({
      publicFlows: ['idplus-score', 'nope'],
      publicFlowsSource: '--public-flows',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).setting).toBe('--public-flows');
    expect((err as Error).message).toMatch(
      /^--public-flows names an unknown flow: nope \(flows: .*idplus-score/,
    );
  });
});

describe('with a real Socure key (a separate sandbox stands in for Socure)', () => {
  let t: TestService & { socure: RunningSandbox };
  beforeAll(async () => {
    t = await startRealKeyService({ webhookUrl: 'https://verify.example.com/proxy/socure-hook' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('PUBLIC_FLOWS defaults to none: sessions start only through the sessions API', async () => {
    expect(t.service.flows.some((f) => f.public)).toBe(false);
    expect(listed((await t.http('/')).text)).toEqual([]);
    for (const f of t.service.flows) await expectHidden(t, f.id);
    await startsThroughApi(t, 'idplus-score');
  });

  it('/readyz carries the missing-webhook-secret warning', async () => {
    const res = await t.http('/readyz');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ready',
      warnings: [expect.stringContaining('No SOCURE_WEBHOOK_SECRET')],
    });
  });

  it('names the Socure base URL it calls and the configured public webhook URL', () => {
    expect(t.service.socureApiUrl).toBe(t.socure.url);
    expect(t.service.webhookUrl).toBe('https://verify.example.com/proxy/socure-hook');
    expect(t.service.sandboxUrls).toBeUndefined();
  });

  it('the embedded sandbox has no warning on /readyz', async () => {
    const own = await startTestService();
    try {
      expect((await own.http('/readyz')).json()).not.toHaveProperty('warnings');
    } finally {
      await own.close();
    }
  });
});

describe('SOCURE_WEBHOOK_URL and HOST=0.0.0.0 on the embedded sandbox', () => {
  it('prints the configured webhook URL while the sandbox keeps posting to the local one', async () => {
    const t = await startTestService({ webhookUrl: 'https://verify.example.com/proxy/socure-hook' });
    try {
      expect(t.service.webhookUrl).toBe('https://verify.example.com/proxy/socure-hook');
      const subs = await fetch(`${t.service.sandbox!.url}/admin/api/subscriptions`).then(
        (r) => r.json() as Promise<unknown>,
      );
      expect(JSON.stringify(subs)).toContain(`${t.service.url}/webhooks/socure/`);
      expect(JSON.stringify(subs)).not.toContain('verify.example.com');
    } finally {
      await t.close();
    }
  });

  it('with HOST=0.0.0.0 the sandbox is named on the public host, its loopback-only admin on 127.0.0.1', async () => {
    const t = await startTestService({ host: '0.0.0.0', publicUrl: 'http://192.0.2.10:0' });
    try {
      const port = new URL(t.service.sandbox!.url).port;
      expect(t.service.sandboxUrls).toEqual({
        url: `http://192.0.2.10:${port}`,
        adminUrl: `http://127.0.0.1:${port}`,
      });
      expect(t.service.socureApiUrl).toBe(`http://192.0.2.10:${port}`);
    } finally {
      await t.close();
    }
  });
});
