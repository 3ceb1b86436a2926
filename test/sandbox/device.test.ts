/**
 * The stand-in Sigma Device collector, over real sockets: its script, device sessions registered with the
 * SDK key, and what ID+ `devicerisk` makes of the ids (known → scored; issued-looking but unknown → R402).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_SESSION_PREFIX } from '../../src/sandbox/device/sessions.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { SIGMA_DEVICE_JS } from '../../src/sandbox/websdk/scripts.js';
import { http, postJson } from './docv-support.js';
import { CLEAN_PERSON, idPlus } from './helpers.js';

let sandbox: RunningSandbox;
const PAGE = 'http://127.0.0.1:3000';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

const register = (publicKey: unknown, origin: string | null = PAGE) =>
  postJson(`${sandbox.url}/device/sessions`, { publicKey }, origin ? { origin } : {});

const deviceScore = (deviceSessionId: string, key?: string) =>
  idPlus(sandbox, { ...CLEAN_PERSON, modules: ['devicerisk', 'decision'], deviceSessionId }, key);

describe('the stand-in collector', () => {
  it('serves its script, defining SigmaDeviceManager.getDeviceSessionId from data-public-key', async () => {
    const res = await http(`${sandbox.url}/device/sigma.js`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.text).toBe(SIGMA_DEVICE_JS);
    expect(res.text).toContain("getAttribute('data-public-key')");
    expect(res.text).toContain('window.SigmaDeviceManager = { getDeviceSessionId }');
  });

  it('registers a device session for a known SDK key, readable by the calling page', async () => {
    const pre = await http(`${sandbox.url}/device/sessions`, {
      method: 'OPTIONS',
      headers: { origin: PAGE, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(PAGE);
    const res = await register(sandbox.keys.sandbox.sdkKey);
    expect(res.status, res.text).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(PAGE);
    expect(res.json.deviceSessionId).toMatch(new RegExp(`^${DEVICE_SESSION_PREFIX}[A-Za-z0-9_-]{24}$`));
    const again = await register(sandbox.keys.sandbox.sdkKey);
    expect(again.json.deviceSessionId).not.toBe(res.json.deviceSessionId);
  });

  it.each([
    ['an unknown key', 'nope', PAGE, 401],
    ['the ID+ key', 'ID+', PAGE, 401],
    ['a missing key', undefined, PAGE, 400],
    ['a page off the allowlist', 'SDK', 'https://evil.example.net', 403],
  ])('refuses %s', async (_name, key, origin, status) => {
    const publicKey =
      key === 'ID+' ? sandbox.keys.sandbox.idPlusKey : key === 'SDK' ? sandbox.keys.sandbox.sdkKey : key;
    const res = await register(publicKey, origin);
    expect(res.status, res.text).toBe(status);
    expect(res.json.status).toBe('Error');
  });
});

describe('ID+ devicerisk with the collector’s ids', () => {
  it('scores a registered device session without R402', async () => {
    const { deviceSessionId } = (await register(sandbox.keys.sandbox.sdkKey)).json;
    const res = await deviceScore(deviceSessionId);
    expect(res.status, res.text).toBe(200);
    expect(res.json.deviceRisk.reasonCodes).not.toContain('R402');
    expect(res.json.deviceRisk.score).toEqual(expect.any(Number));
    expect(res.json.decision.value).toEqual(expect.any(String));
  });

  it('answers R402 for an id shaped like the collector’s that it never issued, or issued to another environment', async () => {
    const made = await deviceScore(`${DEVICE_SESSION_PREFIX}not-issued-by-the-collector`);
    expect(made.status).toBe(200);
    expect(made.json.deviceRisk.reasonCodes).toEqual(['R402']);
    const certification = (await register(sandbox.keys.certification.sdkKey)).json.deviceSessionId;
    const elsewhere = await deviceScore(certification);
    expect(elsewhere.json.deviceRisk.reasonCodes).toEqual(['R402']);
    const own = await deviceScore(certification, sandbox.keys.certification.idPlusKey);
    expect(own.json.deviceRisk.reasonCodes).not.toContain('R402');
  });

  it('leaves other ids as before: any text is scored, risky-device is R406, none is a 400', async () => {
    expect((await deviceScore('some-device-token')).json.deviceRisk.reasonCodes).toEqual([]);
    expect((await deviceScore('risky-device')).json.deviceRisk.reasonCodes).toEqual(['R406']);
    const missing = await idPlus(sandbox, { ...CLEAN_PERSON, modules: ['devicerisk'] });
    expect(missing.status).toBe(400);
    expect(missing.json.data.parameters).toContain('deviceSessionId');
  });
});
