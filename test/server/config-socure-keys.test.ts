/**
 * Which Socure keys select what: neither → the embedded sandbox; the ID+ key, the RiskOS key or both → real Socure
 * (a RiskOS-only deployment has no ID+ key). Errors name SOCURE_ID_PLUS_KEY and SOCURE_RISKOS_KEY, never a key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectorConfigSchema } from '../../src/connector/config.js';
import { resolveConnectorSettings } from '../../src/connector/settings.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { settingsErrorOf } from '../support/settings-error.js';

const ID_PLUS_KEY = 'idplus-key-0123456789';
const RISKOS_KEY = 'riskos-key-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'socure-keys-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveServiceSettings: the three key combinations', () => {
  it('neither key: the embedded sandbox (no connector settings)', () => {
    expect(resolveServiceSettings({}, {}).connector).toBeUndefined();
    // The RiskOS URL or version alone select nothing: only a key does.
    expect(
      resolveServiceSettings({ SOCURE_RISKOS_URL: 'https://riskos.example.com' }, {}).connector,
    ).toBeUndefined();
  });

  it('only SOCURE_RISKOS_KEY: real Socure, RiskOS alone (no ID+ key)', () => {
    const s = resolveServiceSettings({
      SOCURE_RISKOS_KEY: RISKOS_KEY,
      SOCURE_RISKOS_URL: 'https://riskos.example.com/',
      SOCURE_WEBHOOK_URL: 'https://verify.example.com/hook',
    });
    expect(s.connector).toEqual({
      riskOsKey: RISKOS_KEY,
      riskOsUrl: 'https://riskos.example.com/',
      environment: 'sandbox',
      webhookUrl: 'https://verify.example.com/hook',
    });
    expect(s.connector?.idPlusKey).toBeUndefined();
    expect(s.webhookUrl).toBe('https://verify.example.com/hook');
    // The flag and the config file select it too.
    expect(resolveServiceSettings({}, { riskOsKey: RISKOS_KEY }).connector).toMatchObject({
      riskOsKey: RISKOS_KEY,
    });
    const file = join(dir, 'riskos-only.json');
    writeFileSync(file, JSON.stringify({ SOCURE_RISKOS_KEY: RISKOS_KEY, SOCURE_ENVIRONMENT: 'production' }));
    expect(resolveServiceSettings({}, { config: file }).connector).toEqual({
      riskOsKey: RISKOS_KEY,
      environment: 'production',
    });
  });

  it('only SOCURE_ID_PLUS_KEY: real Socure, ID+ and DocV (no RiskOS) as before', () => {
    const s = resolveServiceSettings({ SOCURE_ID_PLUS_KEY: ID_PLUS_KEY });
    expect(s.connector).toEqual({ idPlusKey: ID_PLUS_KEY, environment: 'sandbox' });
  });

  it('both keys: real Socure, both products', () => {
    const s = resolveServiceSettings(
      { SOCURE_ID_PLUS_KEY: ID_PLUS_KEY, SOCURE_ENVIRONMENT: 'production' },
      { riskOsKey: RISKOS_KEY },
    );
    expect(s.connector).toEqual({ idPlusKey: ID_PLUS_KEY, riskOsKey: RISKOS_KEY, environment: 'production' });
  });

  it('RiskOS only in certification needs SOCURE_RISKOS_URL, not SOCURE_API_URL (no ID+ host is called)', () => {
    const missing = settingsErrorOf(() =>
      resolveServiceSettings({ SOCURE_RISKOS_KEY: RISKOS_KEY, SOCURE_ENVIRONMENT: 'certification' }),
    );
    expect(missing.setting).toBe('SOCURE_RISKOS_URL');
    expect(
      resolveServiceSettings({
        SOCURE_RISKOS_KEY: RISKOS_KEY,
        SOCURE_ENVIRONMENT: 'certification',
        SOCURE_RISKOS_URL: 'https://riskos-cert.example.com',
      }).connector,
    ).toMatchObject({ environment: 'certification', riskOsUrl: 'https://riskos-cert.example.com' });
    // With the ID+ key the ID+ host is needed as before.
    const idPlus = settingsErrorOf(() =>
      resolveServiceSettings({
        SOCURE_ID_PLUS_KEY: ID_PLUS_KEY,
        SOCURE_RISKOS_KEY: RISKOS_KEY,
        SOCURE_ENVIRONMENT: 'certification',
        SOCURE_RISKOS_URL: 'https://riskos-cert.example.com',
      }),
    );
    expect(idPlus.setting).toBe('SOCURE_API_URL');
  });

  it('a bad RiskOS key is named and never echoed, and a bad ID+ key beside a good RiskOS key is still refused', () => {
    const spaced = settingsErrorOf(() => resolveServiceSettings({ SOCURE_RISKOS_KEY: 'has a space 12345' }));
    expect(spaced.setting).toBe('SOCURE_RISKOS_KEY');
    expect(spaced.message).not.toContain('has a space');
    const blank = settingsErrorOf(() =>
      resolveServiceSettings({ SOCURE_RISKOS_KEY: RISKOS_KEY }, { idPlusKey: '  \t ' }),
    );
    expect(blank.setting).toBe('--id-plus-key');
    for (const err of [spaced, blank]) {
      expect(err.message).not.toContain(RISKOS_KEY);
      expect(JSON.stringify(err)).not.toContain(RISKOS_KEY);
    }
  });
});

describe('the connector configuration where a key is required', () => {
  it('resolveConnectorSettings with neither key names both settings and their flags', () => {
    const err = settingsErrorOf(() => resolveConnectorSettings({}));
    expect(err.setting).toBe('SOCURE_ID_PLUS_KEY');
    expect(err.message).toContain('--id-plus-key');
    expect(err.message).toContain('SOCURE_RISKOS_KEY');
    expect(err.message).toContain('--riskos-key');
    expect(resolveConnectorSettings({ SOCURE_RISKOS_KEY: RISKOS_KEY })).toEqual({
      riskOsKey: RISKOS_KEY,
      environment: 'sandbox',
    });
  });

  it('the configuration schema (DaVinci-style validation) accepts either key or both, and refuses neither', () => {
    expect(connectorConfigSchema.safeParse({ riskOsKey: RISKOS_KEY }).success).toBe(true);
    expect(connectorConfigSchema.safeParse({ idPlusKey: ID_PLUS_KEY }).success).toBe(true);
    expect(connectorConfigSchema.safeParse({ idPlusKey: ID_PLUS_KEY, riskOsKey: RISKOS_KEY }).success).toBe(
      true,
    );
    const neither = connectorConfigSchema.safeParse({ environment: 'production' });
    expect(neither.success).toBe(false);
    const issue = neither.error!.issues[0]!;
    expect(issue.path).toEqual(['idPlusKey']);
    expect(issue.message).toMatch(/SOCURE_ID_PLUS_KEY .*SOCURE_RISKOS_KEY/);
    // An empty ID+ key is not "no key": it is refused even beside a RiskOS key.
    expect(connectorConfigSchema.safeParse({ idPlusKey: ' ', riskOsKey: RISKOS_KEY }).success).toBe(false);
  });
});
