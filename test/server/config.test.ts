import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FLOWS_DIR, resolveServiceSettings } from '../../src/server/config.js';
import { describeDatabase } from '../../src/store/index.js';
import { settingsErrorOf } from '../support/settings-error.js';

const dir = mkdtempSync(join(tmpdir(), 'socure-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function configFile(content: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('resolveServiceSettings', () => {
  it('has defaults for everything and runs against the embedded sandbox without a key', () => {
    const s = resolveServiceSettings({}, {});
    expect(s).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      databaseUrl: 'sqlite:./data/socure-connector.db',
      flowsDir: DEFAULT_FLOWS_DIR,
      sandboxPort: 4010,
      trustProxy: false,
    });
    expect(s.apiKey).toBeUndefined();
    expect(s.webhookSecrets).toBeUndefined();
    expect(s.appWebhookUrl).toBeUndefined();
    expect(s.connector).toBeUndefined();
  });

  it('reads environment variables; the default public URL follows the port', () => {
    const s = resolveServiceSettings({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:/tmp/x.db',
      CONNECTOR_API_KEY: 'k'.repeat(20),
      SOCURE_WEBHOOK_SECRET: 'one, two ,',
      APP_WEBHOOK_URL: 'https://app.example.com/hooks/',
      SANDBOX_PORT: '0',
    });
    expect(s).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8080',
      databaseUrl: 'sqlite:/tmp/x.db',
      apiKey: 'k'.repeat(20),
      webhookSecrets: ['one', 'two'],
      appWebhookUrl: 'https://app.example.com/hooks',
      sandboxPort: 0,
    });
  });

  it('TRUST_PROXY takes a hop count or proxy addresses, never "trust everything"', () => {
    expect(resolveServiceSettings({}, {}).trustProxy).toBe(false);
    expect(resolveServiceSettings({ TRUST_PROXY: '1' }, {}).trustProxy).toBe(1);
    expect(resolveServiceSettings({}, { trustProxy: 'false' }).trustProxy).toBe(false);
    expect(resolveServiceSettings({ TRUST_PROXY: '0' }, {}).trustProxy).toBe(false);
    expect(
      resolveServiceSettings({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback' }, {}).trustProxy,
    ).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback']);
    expect(resolveServiceSettings({ TRUST_PROXY: 'fd00::/8' }, {}).trustProxy).toEqual(['fd00::/8']);
    expect(() => resolveServiceSettings({ TRUST_PROXY: 'TRUE' }, {})).toThrow(
      /TRUST_PROXY true would trust any client’s X-Forwarded-For: give the number of proxies/,
    );
    expect(() => resolveServiceSettings({ TRUST_PROXY: 'yes' }, {})).toThrow(
      /TRUST_PROXY must be false, a hop count .*; "yes" is neither/,
    );
    expect(() => resolveServiceSettings({ TRUST_PROXY: '10.0.0.0/33' }, {})).toThrow(
      /"10.0.0.0\/33" is neither/,
    );
    expect(() => resolveServiceSettings({}, { trustProxy: '99' })).toThrow(
      /--trust-proxy must be at most 10/,
    );
  });

  it('RATE_LIMIT_*_PER_MINUTE, SSE_MAX_PER_CLIENT, SSE_MAX_STREAMS and INSTANCE_ID', () => {
    const s = resolveServiceSettings(
      {
        RATE_LIMIT_PAGES_PER_MINUTE: '300',
        RATE_LIMIT_API_PER_MINUTE: '1200',
        RATE_LIMIT_WEBHOOK_PER_MINUTE: '90',
        SSE_MAX_PER_CLIENT: '4',
        SSE_MAX_STREAMS: '500',
        INSTANCE_ID: 'web-1',
      },
      {},
    );
    expect(s).toMatchObject({
      rateLimitPagesPerMinute: 300,
      rateLimitApiPerMinute: 1200,
      rateLimitWebhookPerMinute: 90,
      sseMaxPerClient: 4,
      sseMaxStreams: 500,
      instanceId: 'web-1',
    });
    expect(() => resolveServiceSettings({}, { rateLimitWebhookPerMinute: 'many' })).toThrow(
      /--rate-limit-webhook-per-minute must be a whole number of requests per minute/,
    );
    expect(() => resolveServiceSettings({ SSE_MAX_PER_CLIENT: '0' }, {})).toThrow(
      /SSE_MAX_PER_CLIENT must be at least 1/,
    );
    expect(() => resolveServiceSettings({}, { instanceId: 'a b' })).toThrow(
      /--instance-id must be 1–100 letters/,
    );
  });

  it('DATABASE_POOL_SIZE is a whole number of connections from 1 to 1000, default 10', () => {
    expect(resolveServiceSettings({}, {}).databasePoolSize).toBe(10);
    expect(resolveServiceSettings({ DATABASE_POOL_SIZE: '25' }, {}).databasePoolSize).toBe(25);
    expect(resolveServiceSettings({}, { databasePoolSize: '3' }).databasePoolSize).toBe(3);
    expect(() => resolveServiceSettings({ DATABASE_POOL_SIZE: '0' }, {})).toThrow(
      /DATABASE_POOL_SIZE must be at least 1/,
    );
    expect(() => resolveServiceSettings({}, { databasePoolSize: 'ten' })).toThrow(
      /--database-pool-size must be a whole number of connections/,
    );
  });

  it('a PostgreSQL DATABASE_URL is kept as given and named without its password', () => {
    const url = 'postgres://connector:s3cr3t-pw@db.internal:6543/socure?sslmode=require';
    expect(resolveServiceSettings({ DATABASE_URL: url }, {}).databaseUrl).toBe(url);
    const named = describeDatabase(url);
    expect(named).toBe('PostgreSQL db.internal:6543/socure');
    expect(describeDatabase('postgresql://u:p@localhost/x')).toBe('PostgreSQL localhost:5432/x');
    expect(describeDatabase('sqlite:./data/a.db')).toBe('SQLite ./data/a.db');
  });

  it('flags win over environment variables', () => {
    const s = resolveServiceSettings(
      { PORT: '5000', PUBLIC_URL: 'https://env.example.com', HOST: 'env-host' },
      { port: '4000', publicUrl: 'https://flag.example.com/', host: 'flag-host' },
    );
    expect(s.port).toBe(4000);
    expect(s.publicUrl).toBe('https://flag.example.com');
    expect(s.host).toBe('flag-host');
  });

  it('reads a JSON config file (--config or CONFIG_FILE); environment variables override it; flags override both', () => {
    const file = configFile({
      PORT: 7000,
      HOST: 'file-host',
      PUBLIC_URL: 'https://file.example.com',
      SANDBOX_PORT: 4999,
    });
    const fromFile = resolveServiceSettings({}, { config: file });
    expect(fromFile).toMatchObject({
      port: 7000,
      host: 'file-host',
      publicUrl: 'https://file.example.com',
      sandboxPort: 4999,
    });

    const envWins = resolveServiceSettings({ CONFIG_FILE: file, PORT: '7100' }, {});
    expect(envWins.port).toBe(7100);
    expect(envWins.host).toBe('file-host');

    const flagWins = resolveServiceSettings({ PORT: '7100' }, { config: file, port: '7200' });
    expect(flagWins.port).toBe(7200);
  });

  it('an empty environment variable does not wipe the config file value', () => {
    const file = configFile({ PORT: 7000 });
    expect(resolveServiceSettings({ PORT: '' }, { config: file }).port).toBe(7000);
  });

  it('a config file holding the Socure key selects real Socure', () => {
    const file = configFile({
      SOCURE_ID_PLUS_KEY: 'file-key-123',
      SOCURE_ENVIRONMENT: 'sandbox',
      SOCURE_SDK_KEY: 'sdk',
    });
    const s = resolveServiceSettings({}, { config: file });
    expect(s.connector).toMatchObject({ idPlusKey: 'file-key-123', environment: 'sandbox' });
  });

  it('bad config files name the file and the key', () => {
    expect(
      settingsErrorOf(() => resolveServiceSettings({}, { config: join(dir, 'missing.json') })).message,
    ).toMatch(/--config .*missing\.json cannot be read as JSON \(ENOENT\)/);
    expect(
      settingsErrorOf(() => resolveServiceSettings({}, { config: configFile('{ not json') })).message,
    ).toMatch(/cannot be read as JSON/);
    expect(settingsErrorOf(() => resolveServiceSettings({}, { config: configFile([1, 2]) })).message).toMatch(
      /must hold a JSON object/,
    );
    const nested = settingsErrorOf(() =>
      resolveServiceSettings({}, { config: configFile({ PORT: { value: 1 } }) }),
    );
    expect(nested.setting).toMatch(/config-\d+\.json: PORT$/);
    const typo = settingsErrorOf(() => resolveServiceSettings({}, { config: configFile({ PROT: 8080 }) }));
    expect(typo.setting).toMatch(/: PROT$/);
    expect(typo.message).toMatch(/is not a setting/);
  });

  it('a bad value in the config file names the file and the variable', () => {
    const err = settingsErrorOf(() => resolveServiceSettings({}, { config: configFile({ PORT: 'eighty' }) }));
    expect(err.setting).toMatch(/config-\d+\.json: PORT$/);
    expect(err.message).toContain('must be a port number');
  });

  it.each([
    [{ PORT: 'abc' }, {}, 'PORT', 'must be a port number'],
    [{}, { port: '99999' }, '--port', 'must be at most 65535'],
    [{ SANDBOX_PORT: '-1' }, {}, 'SANDBOX_PORT', 'must be a port number'],
    [{ PUBLIC_URL: 'ftp://example.com' }, {}, 'PUBLIC_URL', 'must be an http(s) URL'],
    [{}, { publicUrl: 'not a url' }, '--public-url', 'must be an http(s) URL'],
    [{ APP_WEBHOOK_URL: 'example.com/hook' }, {}, 'APP_WEBHOOK_URL', 'must be an http(s) URL'],
    [{ HOST: '   ' }, {}, 'HOST', ''],
    [
      { SOCURE_ENVIRONMENT: 'staging', SOCURE_ID_PLUS_KEY: 'some-key-1' },
      {},
      'SOCURE_ENVIRONMENT',
      'must be one of',
    ],
  ])('a bad value names the variable or flag: %j %j', (env, flags, setting, reason) => {
    const err = settingsErrorOf(() => resolveServiceSettings(env, flags));
    expect(err.setting).toBe(setting);
    expect(err.message.startsWith(setting)).toBe(true);
    expect(err.message).toContain(reason);
  });

  const SECRET = 'Sup3r-Secret-Value';
  it.each([
    ['CONNECTOR_API_KEY', { CONNECTOR_API_KEY: SECRET.slice(0, 10) }, {}],
    ['--api-key', {}, { apiKey: SECRET.slice(0, 10) }],
    ['SOCURE_WEBHOOK_SECRET', { SOCURE_WEBHOOK_SECRET: ' , ' }, {}],
    ['--webhook-secret', {}, { webhookSecrets: ',' }],
    ['APP_WEBHOOK_SECRET', { APP_WEBHOOK_SECRET: `whsec_${SECRET}!` }, {}],
    ['APP_WEBHOOK_SECRET', { APP_WEBHOOK_SECRET: SECRET }, {}],
    ['--app-webhook-secret', {}, { appWebhookSecret: SECRET }],
    ['SOCURE_ID_PLUS_KEY', { SOCURE_ID_PLUS_KEY: `   ` }, {}],
  ])('a bad secret names %s and never echoes the value', (setting, env, flags) => {
    const err = settingsErrorOf(() => resolveServiceSettings(env as NodeJS.ProcessEnv, flags));
    expect(err.setting).toBe(setting);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(SECRET.slice(0, 10));
    expect(err.message).not.toMatch(/\(got /);
  });

  it('a bad secret in a config file is not echoed either', () => {
    const err = settingsErrorOf(() =>
      resolveServiceSettings({}, { config: configFile({ CONNECTOR_API_KEY: SECRET.slice(0, 10) }) }),
    );
    expect(err.setting).toMatch(/: CONNECTOR_API_KEY$/);
    expect(err.message).not.toContain(SECRET.slice(0, 10));
  });

  it('a webhook secret with spaces is refused without echoing it', () => {
    const err = settingsErrorOf(() => resolveServiceSettings({ SOCURE_WEBHOOK_SECRET: `good,${SECRET} x` }));
    expect(err.setting).toBe('SOCURE_WEBHOOK_SECRET');
    expect(err.message).toContain('must not contain spaces');
    expect(err.message).not.toContain(SECRET);
  });

  it('accepts a Standard Webhooks secret', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(resolveServiceSettings({ APP_WEBHOOK_SECRET: secret }).appWebhookSecret).toBe(secret);
  });

  it('the certification environment needs SOCURE_API_URL (Socure publishes no host for it)', () => {
    const err = settingsErrorOf(() =>
      resolveServiceSettings({ SOCURE_ID_PLUS_KEY: SECRET, SOCURE_ENVIRONMENT: 'certification' }),
    );
    expect(err.setting).toBe('SOCURE_API_URL');
    expect(err.message).toMatch(/required for the certification environment/);
    expect(err.message).not.toContain(SECRET);
    const ok = resolveServiceSettings({
      SOCURE_ID_PLUS_KEY: SECRET,
      SOCURE_ENVIRONMENT: 'certification',
      SOCURE_API_URL: 'https://cert.example.com',
    });
    expect(ok.connector).toMatchObject({ environment: 'certification' });
  });

  it('PUBLIC_FLOWS: all, none or a list of flow ids; unset leaves the default to the service', () => {
    expect(resolveServiceSettings({}).publicFlows).toBeUndefined();
    expect(resolveServiceSettings({ PUBLIC_FLOWS: 'ALL' }).publicFlows).toBe('all');
    expect(resolveServiceSettings({ PUBLIC_FLOWS: ' none ' }).publicFlows).toBe('none');
    const list = resolveServiceSettings({ PUBLIC_FLOWS: 'docv-qr, idplus-score,docv-qr,' });
    expect(list.publicFlows).toEqual(['docv-qr', 'idplus-score']);
    expect(list.publicFlowsSource).toBe('PUBLIC_FLOWS');
    const flag = resolveServiceSettings({ PUBLIC_FLOWS: 'all' }, { publicFlows: 'step-up' });
    expect(flag).toMatchObject({ publicFlows: ['step-up'], publicFlowsSource: '--public-flows' });
    for (const bad of [',', 'Docv QR', 'docv-qr;x']) {
      const err = settingsErrorOf(() => resolveServiceSettings({ PUBLIC_FLOWS: bad }));
      expect(err.setting).toBe('PUBLIC_FLOWS');
      expect(err.message).toContain('must be all, none or a comma-separated list of flow ids');
    }
  });

  it('SOCURE_ENVIRONMENT and the other connector settings are checked with no key too, naming the variable', () => {
    const env = settingsErrorOf(() => resolveServiceSettings({ SOCURE_ENVIRONMENT: 'staging' }));
    expect(env.setting).toBe('SOCURE_ENVIRONMENT');
    expect(env.message).toMatch(/^SOCURE_ENVIRONMENT must be one of sandbox, certification, production/);
    expect(settingsErrorOf(() => resolveServiceSettings({}, { environment: 'staging' })).setting).toBe(
      '--environment',
    );
    expect(settingsErrorOf(() => resolveServiceSettings({ SOCURE_TIMEOUT_MS: 'soon' })).setting).toBe(
      'SOCURE_TIMEOUT_MS',
    );
    // With a key, a bad variable is named as the variable, not as its flag.
    const withKey = settingsErrorOf(() =>
      resolveServiceSettings({ SOCURE_ID_PLUS_KEY: 'k-1', SOCURE_MAX_RETRIES: '99' }, { port: '3000' }),
    );
    expect(withKey.setting).toBe('SOCURE_MAX_RETRIES');
  });

  it('SOCURE_WEBHOOK_URL / --webhook-url: the public webhook URL, read with or without a key', () => {
    expect(resolveServiceSettings({ SOCURE_WEBHOOK_URL: 'https://v.example.com/hook/' }).webhookUrl).toBe(
      'https://v.example.com/hook',
    );
    expect(
      resolveServiceSettings(
        { SOCURE_ID_PLUS_KEY: 'k-1', SOCURE_WEBHOOK_URL: 'https://env.example.com/h' },
        { webhookUrl: 'https://flag.example.com/h' },
      ).webhookUrl,
    ).toBe('https://flag.example.com/h');
    const bad = settingsErrorOf(() =>
      resolveServiceSettings({ SOCURE_WEBHOOK_URL: 'verify.example.com/hook' }),
    );
    expect(bad.setting).toBe('SOCURE_WEBHOOK_URL');
    expect(bad.message).toContain('must be an http(s) URL');
    expect(settingsErrorOf(() => resolveServiceSettings({}, { webhookUrl: 'nope' })).setting).toBe(
      '--webhook-url',
    );
  });

  it('connector flags win over the environment too', () => {
    const s = resolveServiceSettings(
      { SOCURE_ID_PLUS_KEY: 'env-key-1', SOCURE_ENVIRONMENT: 'production' },
      { idPlusKey: 'flag-key-1', environment: 'sandbox' },
    );
    expect(s.connector).toMatchObject({ idPlusKey: 'flag-key-1', environment: 'sandbox' });
  });
});
