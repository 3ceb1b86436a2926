/**
 * The stand-in DocV Web SDK of the sandbox, over real sockets: its scripts, the launch check (SDK key, token,
 * allowlisted page origin), and the capture app framed for that launch only (CSP frame-ancestors, the bridge
 * script, the `embed` query kept through every step, the Web SDK status of each page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURE_BRIDGE_JS, WEB_SDK_JS } from '../../src/sandbox/websdk/scripts.js';
import { docvRequest, http, multipartImage, postForm, postJson, type Rig, startRig } from './docv-support.js';

let rig: Rig;
const PAGE = 'http://localhost:3000';

beforeAll(async () => {
  rig = await startRig(undefined, { allowlist: ['app.example.com'] });
});
afterAll(async () => {
  await rig?.close();
});

async function newToken(): Promise<string> {
  const res = await docvRequest(rig, { customerUserId: `websdk-${Math.random()}` });
  expect(res.status, res.text).toBe(200);
  return res.json.data.docvTransactionToken as string;
}

/** null: no Origin header, as a server-side caller sends. */
const launch = (body: unknown, origin: string | null = PAGE) =>
  postJson(`${rig.sandbox.url}/websdk/launch`, body, origin ? { origin } : {});

const sdkKey = () => rig.sandbox.keys.sandbox.sdkKey;

describe('the stand-in scripts', () => {
  it('serves the Web SDK and the bridge as JavaScript other sites may load', async () => {
    for (const [path, body] of [
      ['/websdk/bundle.js', WEB_SDK_JS],
      ['/websdk/capture-bridge.js', CAPTURE_BRIDGE_JS],
    ] as const) {
      const res = await http(`${rig.sandbox.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.text).toBe(body);
    }
    const sdk = await http(`${rig.sandbox.url}/websdk/bundle.js`);
    expect(sdk.text).toContain('window.SocureDocVSDK = { launch, reset }');
  });
});

describe('POST /websdk/launch', () => {
  it('answers the framed capture path for a known SDK key, token and allowlisted page, with CORS for that page', async () => {
    const token = await newToken();
    const pre = await http(`${rig.sandbox.url}/websdk/launch`, {
      method: 'OPTIONS',
      headers: { origin: PAGE, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(PAGE);
    expect(pre.headers['access-control-allow-headers']).toBe('content-type');

    const res = await launch({ sdkKey: sdkKey(), docvTransactionToken: token });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(res.json.captureUrl).toMatch(new RegExp(`^/capture/${token}\\?embed=[A-Za-z0-9_-]{24}$`));
  });

  it.each([
    ['an unknown SDK key', () => ({ sdkKey: 'not-a-key' }), 401, 'INVALID_PUBLIC_KEY'],
    ['the secret ID+ key', () => ({ sdkKey: rig.sandbox.keys.sandbox.idPlusKey }), 401, 'INVALID_PUBLIC_KEY'],
    [
      'another environment’s SDK key',
      () => ({ sdkKey: rig.sandbox.keys.production.sdkKey }),
      404,
      'INVALID_DOCV_TRANSACTION_TOKEN',
    ],
    [
      'an unknown token',
      () => ({ docvTransactionToken: '00000000-0000-4000-8000-000000000000' }),
      404,
      'INVALID_DOCV_TRANSACTION_TOKEN',
    ],
    ['no token', () => ({ docvTransactionToken: undefined }), 400, 'INVALID_REQUEST'],
  ])('refuses %s', async (_name, change, status, error) => {
    const token = await newToken();
    const res = await launch({ sdkKey: sdkKey(), docvTransactionToken: token, ...change() });
    expect(res.status, res.text).toBe(status);
    expect(res.json).toMatchObject({ status: 'Error', error });
    expect(res.text).not.toContain(rig.sandbox.keys.sandbox.idPlusKey);
  });

  it('refuses a page whose domain is not allowlisted, and a caller without an Origin', async () => {
    const token = await newToken();
    const body = { sdkKey: sdkKey(), docvTransactionToken: token };
    const foreign = await launch(body, 'https://evil.example.net');
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toBe('DOMAIN_NOT_ALLOWED');
    const none = await launch(body, null);
    expect(none.status).toBe(403);
    expect((await launch(body, 'https://app.example.com')).status).toBe(200);
  });

  it('refuses an expired transaction', async () => {
    const token = await newToken();
    rig.sandbox.clock.advance(16 * 60_000);
    const res = await launch({ sdkKey: sdkKey(), docvTransactionToken: token });
    expect(res.status).toBe(410);
    expect(res.json.error).toBe('TOKEN_EXPIRED');
  });
});

describe('the capture app framed by a launch', () => {
  const bridgeOf = (html: string) => ({
    origin: /data-parent-origin="([^"]*)"/.exec(html)?.[1],
    status: /data-status="([^"]*)"/.exec(html)?.[1],
    token: /data-token="([^"]*)"/.exec(html)?.[1],
  });

  it('lets only the launching page frame it, keeps ?embed= through every step and reports each status', async () => {
    const token = await newToken();
    const launched = await launch({ sdkKey: sdkKey(), docvTransactionToken: token });
    const path = launched.json.captureUrl as string;
    const q = path.slice(path.indexOf('?'));
    const url = `${rig.sandbox.url}${path}`;

    const first = await http(url);
    expect(first.status).toBe(200);
    const csp = String(first.headers['content-security-policy']);
    expect(csp).toContain(`frame-ancestors ${PAGE}`);
    expect(csp).toContain("script-src 'self'");
    expect(first.text).toContain('<script src="/websdk/capture-bridge.js" defer></script>');
    expect(bridgeOf(first.text)).toEqual({ origin: PAGE, status: 'WAITING_FOR_UPLOAD', token });
    expect(first.text).toContain(`action="/capture/${token}/consent${q}"`);

    const step = (name: string) => `${rig.sandbox.url}/capture/${token}/${name}${q}`;
    const consent = await postForm(step('consent'), { consent: 'accept' });
    expect(consent.status).toBe(303);
    expect(consent.headers.location).toBe(`/capture/${token}${q}`);
    expect((await postForm(step('document-type'), { documentType: 'license' })).status).toBe(303);
    for (const side of ['front', 'back', 'selfie']) {
      const image = multipartImage(Buffer.from(`${side} bytes`));
      const res = await http(step(side), { body: image.body, headers: image.headers });
      expect(res.status, side).toBe(303);
      expect(res.headers.location).toBe(`/capture/${token}${q}`);
    }
    const submitted = await postForm(step('submit'), { outcome: 'auto' });
    expect(submitted.status).toBe(303);
    const done = await http(url);
    expect(done.text).toContain('Thank you');
    expect(bridgeOf(done.text).status).toBe('DOCUMENTS_UPLOADED');
  });

  it('reports CONSENT_DECLINED after a decline', async () => {
    const token = await newToken();
    const path = (await launch({ sdkKey: sdkKey(), docvTransactionToken: token })).json.captureUrl as string;
    const q = path.slice(path.indexOf('?'));
    await postForm(`${rig.sandbox.url}/capture/${token}/consent${q}`, { consent: 'decline' });
    expect(bridgeOf((await http(`${rig.sandbox.url}${path}`)).text).status).toBe('CONSENT_DECLINED');
  });

  it('stays unframable and script-free without a launch, with another transaction’s launch, or a made-up id', async () => {
    const token = await newToken();
    const other = await newToken();
    const otherPath = (await launch({ sdkKey: sdkKey(), docvTransactionToken: other })).json
      .captureUrl as string;
    const otherEmbed = otherPath.slice(otherPath.indexOf('?'));
    for (const q of ['', otherEmbed, '?embed=made-up-id']) {
      const res = await http(`${rig.sandbox.url}/capture/${token}${q}`);
      expect(res.status, q).toBe(200);
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(res.text).not.toContain('<script');
      expect(res.text).toContain(`action="/capture/${token}/consent"`);
    }
  });
});
