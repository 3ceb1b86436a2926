import { describe, expect, it } from 'vitest';
import { clientOptionsFrom, resolveConnectorSettings, SettingsError } from '../../src/connector/index.js';

const KEY = 'a1b234cd-75e1-9e01-f234-56abcdef6789';
const OTHER_KEY = '0f0f0f0f-1111-4222-8333-444444444444';

function settingsError(env: NodeJS.ProcessEnv, flags: Parameters<typeof resolveConnectorSettings>[1] = {}) {
  let err: unknown;
  try {
    resolveConnectorSettings(env, flags);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SettingsError);
  return err as SettingsError;
}

describe('resolveConnectorSettings', () => {
  it('reads every SOCURE_* variable', () => {
    const config = resolveConnectorSettings({
      SOCURE_ID_PLUS_KEY: KEY,
      SOCURE_SDK_KEY: 'sdk-1',
      SOCURE_ENVIRONMENT: 'Production',
      SOCURE_API_URL: 'http://127.0.0.1:4010',
      SOCURE_WEBHOOK_URL: 'https://flows.example.com/hook',
      SOCURE_TIMEOUT_MS: '2500',
      SOCURE_MAX_RETRIES: '0',
    });
    expect(config).toEqual({
      idPlusKey: KEY,
      sdkKey: 'sdk-1',
      environment: 'production',
      apiUrl: 'http://127.0.0.1:4010',
      webhookUrl: 'https://flows.example.com/hook',
      timeoutMs: 2500,
      maxRetries: 0,
    });
    expect(clientOptionsFrom(config)).toMatchObject({
      idPlusKey: KEY,
      environment: 'production',
      baseUrl: 'http://127.0.0.1:4010',
      timeoutMs: 2500,
      maxRetries: 0,
    });
  });

  it('defaults to the sandbox environment; empty variables count as unset', () => {
    const config = resolveConnectorSettings({
      SOCURE_ID_PLUS_KEY: KEY,
      SOCURE_TIMEOUT_MS: '',
      SOCURE_SDK_KEY: '',
    });
    expect(config.environment).toBe('sandbox');
    expect(config.timeoutMs).toBeUndefined();
    expect(config.sdkKey).toBeUndefined();
  });

  it('a flag wins over its environment variable', () => {
    const config = resolveConnectorSettings(
      {
        SOCURE_ID_PLUS_KEY: KEY,
        SOCURE_ENVIRONMENT: 'production',
        SOCURE_TIMEOUT_MS: '1000',
        SOCURE_MAX_RETRIES: '5',
        SOCURE_API_URL: 'http://127.0.0.1:1',
      },
      {
        idPlusKey: OTHER_KEY,
        environment: 'sandbox',
        timeoutMs: '3000',
        maxRetries: '1',
        apiUrl: 'http://127.0.0.1:2',
      },
    );
    expect(config).toMatchObject({
      idPlusKey: OTHER_KEY,
      environment: 'sandbox',
      timeoutMs: 3000,
      maxRetries: 1,
      apiUrl: 'http://127.0.0.1:2',
    });
  });

  it('a bad flag is named by the flag even when the variable is fine, and the reverse', () => {
    const flagErr = settingsError({ SOCURE_ID_PLUS_KEY: KEY, SOCURE_MAX_RETRIES: '2' }, { maxRetries: '11' });
    expect(flagErr.setting).toBe('--max-retries');
    expect(flagErr.message).toContain('--max-retries');
    expect(flagErr.message).toMatch(/at most 10/);
    expect(flagErr.message).not.toContain('SOCURE_MAX_RETRIES');

    // The flag is fine, so the bad variable it overrides does not matter.
    expect(
      resolveConnectorSettings({ SOCURE_ID_PLUS_KEY: KEY, SOCURE_MAX_RETRIES: 'x' }, { maxRetries: '3' })
        .maxRetries,
    ).toBe(3);
  });

  it.each([
    ['SOCURE_TIMEOUT_MS', 'abc', /whole number/],
    ['SOCURE_TIMEOUT_MS', '0', /at least 1/],
    ['SOCURE_TIMEOUT_MS', '1.5', /whole number/],
    ['SOCURE_TIMEOUT_MS', '600001', /at most 600000/],
    ['SOCURE_MAX_RETRIES', '-1', /whole number/],
    ['SOCURE_MAX_RETRIES', '11', /at most 10/],
    ['SOCURE_ENVIRONMENT', 'staging', /sandbox, certification, production/],
    ['SOCURE_API_URL', 'ftp://example.com', /http/],
    ['SOCURE_API_URL', 'not a url', /URL/],
    ['SOCURE_WEBHOOK_URL', 'javascript:alert(1)', /\S/],
  ])('%s=%j is refused naming the variable', (name, value, reason) => {
    const err = settingsError({ SOCURE_ID_PLUS_KEY: KEY, [name]: value });
    expect(err.setting).toBe(name);
    expect(err.message.startsWith(`${name} `)).toBe(true);
    expect(err.message).toMatch(reason);
    expect(err.message).not.toContain(KEY);
  });

  it.each([
    ['timeoutMs', '--timeout-ms', 'soon'],
    ['maxRetries', '--max-retries', 'lots'],
    ['environment', '--environment', 'prod'],
    ['apiUrl', '--api-url', 'https://user:pw@example.com'],
    ['webhookUrl', '--webhook-url', 'ftp://x.example'],
  ] as const)('a bad %s flag is refused naming %s', (key, flag, value) => {
    const err = settingsError({ SOCURE_ID_PLUS_KEY: KEY }, { [key]: value });
    expect(err.setting).toBe(flag);
    expect(err.message).toContain(flag);
  });

  it('echoes non-secret bad values so the person sees what was read', () => {
    expect(settingsError({ SOCURE_ID_PLUS_KEY: KEY, SOCURE_TIMEOUT_MS: 'abc' }).message).toContain('"abc"');
  });

  it('never echoes a bad key value', () => {
    for (const [env, flags] of [
      [{ SOCURE_ID_PLUS_KEY: ' \t ' }, {}],
      [{}, { idPlusKey: '   ' }],
      [{ SOCURE_ID_PLUS_KEY: KEY }, { idPlusKey: ' \n ' }],
    ] as const) {
      const err = settingsError({ ...env }, { ...flags });
      expect(['SOCURE_ID_PLUS_KEY', '--id-plus-key']).toContain(err.setting);
      expect(err.message).not.toMatch(/got/);
      expect(err.message).not.toContain(KEY);
    }
    // A bad value elsewhere never drags the key into the message either.
    for (const name of ['SOCURE_TIMEOUT_MS', 'SOCURE_ENVIRONMENT', 'SOCURE_API_URL']) {
      const err = settingsError({ SOCURE_ID_PLUS_KEY: KEY, [name]: 'bad value' });
      expect(err.message).not.toContain(KEY);
      expect(JSON.stringify(err)).not.toContain(KEY);
    }
  });

  it('a missing key names SOCURE_ID_PLUS_KEY and mentions --id-plus-key', () => {
    const err = settingsError({});
    expect(err.setting).toBe('SOCURE_ID_PLUS_KEY');
    expect(err.message).toContain('--id-plus-key');
  });

  it('certification needs SOCURE_API_URL (variable or flag)', () => {
    const err = settingsError({ SOCURE_ID_PLUS_KEY: KEY, SOCURE_ENVIRONMENT: 'certification' });
    expect(err.setting).toBe('SOCURE_API_URL');
    expect(
      resolveConnectorSettings({
        SOCURE_ID_PLUS_KEY: KEY,
        SOCURE_ENVIRONMENT: 'certification',
        SOCURE_API_URL: 'https://cert.example.com',
      }),
    ).toMatchObject({ environment: 'certification', apiUrl: 'https://cert.example.com' });
    expect(
      resolveConnectorSettings(
        { SOCURE_ID_PLUS_KEY: KEY },
        { environment: 'certification', apiUrl: 'https://cert.example.com' },
      ).environment,
    ).toBe('certification');
  });
});
