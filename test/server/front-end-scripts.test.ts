/**
 * Socure's front-end scripts on the hosted pages, through real sockets: DocV inside the waiting page with the
 * Web SDK (docv-web) and the device collector on the ID+ form (idplus-device). On the embedded sandbox the
 * pages load its stand-ins; with a real key, Socure's Web SDK (and the device script only when configured).
 * Only the public SDK key reaches a page; the QR code and link stay as the fallback.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { SOCURE_WEB_SDK_URL } from '../../src/server/front-end-scripts.js';
import {
  createSession,
  PERSONA_FORM,
  startRealKeyService,
  startTestService,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
  waitToken,
} from './helpers.js';

const attr = (html: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];
const directive = (csp: unknown, name: string) =>
  String(csp)
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe('on the embedded sandbox', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('docv-web: the waiting page holds the SDK container with the SDK key, the token and the stand-in script, beside the QR code and link', async () => {
    const { id, path } = await createSession(t, { flow: 'docv-web', customerUserId: 'sdk-page-1' });
    const token = await waitToken(t, id);
    const page = await t.http(path);
    expect(page.status).toBe(200);
    const sandbox = t.service.sandbox!;
    expect(page.text).toContain('data-docv-sdk');
    expect(attr(page.text, 'data-sdk-key')).toBe(sandbox.keys.sandbox.sdkKey);
    expect(attr(page.text, 'data-token')).toBe(token);
    expect(attr(page.text, 'data-script')).toBe(`${sandbox.url}/websdk/bundle.js`);
    expect(page.text).toContain('<script src="/assets/docv-sdk.js" defer></script>');
    expect(page.text).toContain('class="qr"');
    expect(page.text).toContain(`/capture/${token}`);
    expect(page.text).not.toContain(sandbox.keys.sandbox.idPlusKey);
    expect(page.text).not.toMatch(/<script>(?!<)/);

    const origin = new URL(sandbox.url).origin;
    for (const name of ['script-src', 'connect-src', 'frame-src']) {
      expect(directive(page.headers['content-security-policy'], name), name).toContain(origin);
    }
    expect(directive(page.headers['content-security-policy'], 'script-src')).toContain("'self'");
  });

  it('docv-web in Spanish: the SDK container speaks the page’s language', async () => {
    const { id, path } = await createSession(t, { flow: 'docv-web', customerUserId: 'sdk-page-es' });
    await waitToken(t, id);
    const page = await t.http(path, { headers: { 'accept-language': 'es' } });
    expect(page.text).toContain('Usar mi teléfono');
    expect(page.text).toContain('aria-label="Captura de documentos"');
  });

  it('docv-qr keeps the phone hand-off only', async () => {
    const { id, path } = await createSession(t, { flow: 'docv-qr', customerUserId: 'sdk-page-2' });
    await waitToken(t, id);
    const page = await t.http(path);
    expect(page.text).not.toContain('data-docv-sdk');
    expect(page.text).not.toContain('docv-sdk.js');
  });

  it('serves the two page scripts as assets', async () => {
    for (const name of ['docv-sdk.js', 'device-session.js']) {
      const res = await t.http(`/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    }
    expect((await t.http('/assets/docv-sdk.js')).text).toContain('SocureDocVSDK');
    expect((await t.http('/assets/device-session.js')).text).toContain('getDeviceSessionId');
  });

  it('a docv-web session still ends by the webhook, as docv-qr does', async () => {
    const { id } = await createSession(t, { flow: 'docv-web', customerUserId: 'sdk-page-3' });
    const token = await waitToken(t, id);
    await triggerSandbox(t, token, 'complete-accept');
    const done = await waitForCompletion(t, id);
    expect(done.outcome).toBe('verified');
  });

  it('idplus-device: the form loads the stand-in collector, and the device session it registers reaches ID+', async () => {
    const sandbox = t.service.sandbox!;
    const { id, path } = await createSession(t, { flow: 'idplus-device', customerUserId: 'device-1' });
    const form = await t.http(path);
    expect(form.text).toContain('data-device-session');
    expect(attr(form.text, 'data-script')).toBe(`${sandbox.url}/device/sigma.js`);
    expect(attr(form.text, 'data-public-key')).toBe(sandbox.keys.sandbox.sdkKey);
    expect(form.text).toContain('<input type="hidden" name="deviceSessionId" value="">');
    expect(form.text).toContain('<script src="/assets/device-session.js" defer></script>');

    // What the collector script does in the browser: register a device session with the public key.
    const registered = await request(`${sandbox.url}/device/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: t.service.publicUrl },
      body: JSON.stringify({ publicKey: sandbox.keys.sandbox.sdkKey }),
    });
    expect(registered.statusCode).toBe(201);
    const { deviceSessionId } = (await registered.body.json()) as { deviceSessionId: string };

    const submitted = await submitScreen(t, path, { ...PERSONA_FORM, deviceSessionId });
    expect(submitted.status).toBe(303);
    await waitForCompletion(t, id);
    const read = (await t.api(`/api/sessions/${id}`)).json<{
      result: { scores: { deviceRisk?: { score: number; reasonCodes: string[] } } };
    }>();
    expect(read.result.scores.deviceRisk?.score).toEqual(expect.any(Number));
    expect(read.result.scores.deviceRisk?.reasonCodes).not.toContain('R402');
  });

  it('idplus-device: an id the collector never issued comes back as R402', async () => {
    const { id, path } = await createSession(t, { flow: 'idplus-device', customerUserId: 'device-2' });
    await submitScreen(t, path, { ...PERSONA_FORM, deviceSessionId: 'sandbox-device-forged' });
    await waitForCompletion(t, id);
    const read = (await t.api(`/api/sessions/${id}`)).json<{
      result: { scores: { deviceRisk?: { reasonCodes: string[] } } };
    }>();
    expect(read.result.scores.deviceRisk?.reasonCodes).toEqual(['R402']);
  });
});

describe('the embedded sandbox allowlists the service’s own host', () => {
  it('so its pages may launch the stand-in Web SDK from PUBLIC_URL’s host', async () => {
    const t = await startTestService({ publicUrl: 'http://verify.demo.test:0' });
    try {
      const { id } = await createSession(t, { flow: 'docv-web', customerUserId: 'allow-1' });
      const token = await waitToken(t, id);
      const sandbox = t.service.sandbox!;
      const launch = (origin: string) =>
        request(`${sandbox.url}/websdk/launch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify({ sdkKey: sandbox.keys.sandbox.sdkKey, docvTransactionToken: token }),
        });
      const own = await launch(t.service.publicUrl);
      expect(own.statusCode, await own.body.text()).toBe(200);
      const other = await launch('http://elsewhere.demo.test');
      await other.body.dump();
      expect(other.statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});

describe('with a real key', () => {
  it('loads Socure’s Web SDK and allows its origin; no device collector without SOCURE_DEVICE_SCRIPT_URL', async () => {
    const t = await startRealKeyService();
    try {
      const { id, path } = await createSession(t, { flow: 'docv-web', customerUserId: 'real-sdk-1' });
      await waitToken(t, id);
      const page = await t.http(path);
      expect(attr(page.text, 'data-script')).toBe(SOCURE_WEB_SDK_URL);
      expect(attr(page.text, 'data-sdk-key')).toBe(t.socure.keys.sandbox.sdkKey);
      expect(page.text).not.toContain(t.socure.keys.sandbox.idPlusKey);
      const csp = page.headers['content-security-policy'];
      expect(directive(csp, 'script-src')).toBe("script-src 'self' https://websdk.socure.com");
      expect(directive(csp, 'frame-src')).toContain('https://*.socure.com');

      const device = await createSession(t, { flow: 'idplus-device', customerUserId: 'real-dev-1' });
      const form = await t.http(device.path);
      expect(form.text).not.toContain('data-device-session');
    } finally {
      await t.close();
    }
  });

  it('loads the configured device script, with its origin allowed', async () => {
    const url = 'https://device.example-cdn.test/sigma/device.js';
    const t = await startRealKeyService({ deviceScriptUrl: url });
    try {
      const { path } = await createSession(t, { flow: 'idplus-device', customerUserId: 'real-dev-2' });
      const form = await t.http(path);
      expect(attr(form.text, 'data-script')).toBe(url);
      expect(directive(form.headers['content-security-policy'], 'script-src')).toContain(
        'https://device.example-cdn.test',
      );
    } finally {
      await t.close();
    }
  });

  it('without an SDK key, docv-web shows only the QR code and link', async () => {
    const socure: RunningSandbox = await startSandbox({ port: 0 });
    const t = await startTestService({
      connector: { idPlusKey: socure.keys.sandbox.idPlusKey, environment: 'sandbox', apiUrl: socure.url },
    });
    try {
      const { id, path } = await createSession(t, { flow: 'docv-web', customerUserId: 'no-sdk-1' });
      await waitToken(t, id);
      const page = await t.http(path);
      expect(page.text).not.toContain('data-docv-sdk');
      expect(page.text).toContain('class="qr"');
      expect(directive(page.headers['content-security-policy'], 'script-src')).toBe("script-src 'self'");
    } finally {
      await t.close();
      await socure.close();
    }
  });
});

describe('SOCURE_DEVICE_SCRIPT_URL', () => {
  it('takes an https URL and refuses anything else, naming the variable', () => {
    const url = 'https://device.example.com/x.js';
    expect(resolveServiceSettings({ SOCURE_DEVICE_SCRIPT_URL: url }, {}).deviceScriptUrl).toBe(url);
    expect(() => resolveServiceSettings({ SOCURE_DEVICE_SCRIPT_URL: 'http://x.test/a.js' }, {})).toThrow(
      /SOCURE_DEVICE_SCRIPT_URL/,
    );
  });
});
