import { describe, expect, it } from 'vitest';
import { frontEndScripts, mergeCsp, SOCURE_WEB_SDK_URL } from '../../src/server/front-end-scripts.js';

describe('frontEndScripts', () => {
  it('nothing without an SDK key', () => {
    expect(frontEndScripts({ sandboxUrl: 'http://127.0.0.1:4010' })).toEqual({ scripts: {}, csp: {} });
    expect(frontEndScripts({ deviceScriptUrl: 'https://d.example/x.js' })).toEqual({ scripts: {}, csp: {} });
  });

  it('the sandbox’s stand-ins, from its origin only', () => {
    const { scripts, csp } = frontEndScripts({ sdkKey: 'pk', sandboxUrl: 'http://127.0.0.1:4010/' });
    expect(scripts).toEqual({
      docv: { sdkKey: 'pk', scriptUrl: 'http://127.0.0.1:4010/websdk/bundle.js' },
      device: { publicKey: 'pk', scriptUrl: 'http://127.0.0.1:4010/device/sigma.js' },
    });
    expect(csp).toEqual({
      scriptOrigins: ['http://127.0.0.1:4010'],
      connectOrigins: ['http://127.0.0.1:4010'],
      frameOrigins: ['http://127.0.0.1:4010'],
      imgOrigins: [],
    });
  });

  it('Socure’s Web SDK with a real key; the device script only when configured', () => {
    const real = frontEndScripts({ sdkKey: 'pk' });
    expect(real.scripts).toEqual({ docv: { sdkKey: 'pk', scriptUrl: SOCURE_WEB_SDK_URL } });
    expect(real.csp.scriptOrigins).toEqual(['https://websdk.socure.com']);
    const withDevice = frontEndScripts({ sdkKey: 'pk', deviceScriptUrl: 'https://cdn.device.test/s.js' });
    expect(withDevice.scripts.device).toEqual({ publicKey: 'pk', scriptUrl: 'https://cdn.device.test/s.js' });
    expect(withDevice.csp.scriptOrigins).toEqual(['https://websdk.socure.com', 'https://cdn.device.test']);
    expect(withDevice.csp.connectOrigins).toEqual(['https://*.socure.com', 'https://cdn.device.test']);
  });
});

describe('mergeCsp', () => {
  it('adds origins once each, keeping what was there', () => {
    expect(
      mergeCsp(
        {
          frameAncestors: ['https://app.test'],
          styleOrigins: ['https://cdn.test'],
          scriptOrigins: ['https://a.test'],
        },
        { scriptOrigins: ['https://a.test', 'https://b.test'], frameOrigins: [] },
      ),
    ).toEqual({
      frameAncestors: ['https://app.test'],
      styleOrigins: ['https://cdn.test'],
      scriptOrigins: ['https://a.test', 'https://b.test'],
    });
    expect(mergeCsp(undefined, { connectOrigins: ['https://c.test'] })).toEqual({
      connectOrigins: ['https://c.test'],
    });
  });
});
