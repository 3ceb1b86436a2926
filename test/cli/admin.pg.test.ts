/**
 * `keys rotate`, `forget` and `audit verify|export` on PostgreSQL: the same commands against a database the store
 * populated on a real server (test/support/postgres.ts), the audit trail then tampered with over SQL.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabaseUrl } from '../support/postgres.js';
import { allAudit, jsonlSeqs, keyId, newKey, open, PII, seedDelivery, seedSession } from './admin-support.js';
import { cli, show } from './run-cli.js';

const TEST_TIMEOUT = 180_000;
let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabaseUrl('cli');
});

afterAll(async () => {
  await database?.drop();
});

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe('admin commands on PostgreSQL', () => {
  it(
    'rotate, forget, verify (intact, then edited), export',
    async () => {
      const url = database.url;
      const oldKey = newKey();
      const store = await open(url, oldKey);
      for (let i = 0; i < 4; i++) await seedSession(store, `p${i}`, i < 2 ? 'cu-pg' : `cu-other-${i}`);
      await seedDelivery(store, 'pd1', 'cu-pg');
      await store.close();

      // Without keys PostgreSQL is refused with how to make one.
      const noKeys = await cli(['audit', 'verify', '--database-url', url]);
      expect(noKeys.code, show(noKeys)).toBe(2);
      expect(noKeys.stderr).toContain('keys generate');

      let newFirst = newKey();
      while (keyId(newFirst) === keyId(oldKey)) newFirst = newKey();
      const ring = `${newFirst},${oldKey}`;
      const env = { DATA_ENCRYPTION_KEYS: ring, DATABASE_URL: url };
      const rotate = await cli(['keys', 'rotate', '--batch', '3'], env);
      expect(rotate.code, show(rotate)).toBe(0);
      expect(rotate.stdout).toMatch(/re-sealed \d+ record\(s\) under key "[^"]+"; 0 left/);
      const rotated = await open(url, newFirst);
      expect(await rotated.countRecordsToRotate()).toBe(0);
      expect((await rotated.getSessionData('p3'))?.input).toMatchObject(PII);
      await rotated.close();
      await expect(open(url, oldKey)).rejects.toThrow(/does not hold/);

      const forget = await cli(['forget', '--customer-user-id', 'cu-pg', '--yes'], env);
      expect(forget.code, show(forget)).toBe(0);
      expect(JSON.parse(forget.stdout)).toEqual({ sessions: 2, deliveries: 1, callbacks: 2 });
      const after = await open(url, newFirst);
      expect((await after.getSessionData('p0'))?.input).toEqual({});
      expect((await after.getSessionData('p2'))?.input).toMatchObject(PII);
      const entries = await allAudit(after);
      await after.close();
      // 4 started + 4 decided + the rotation + the erasure.
      expect(entries.map((e) => e.type).sort()).toEqual(
        [
          ...Array(4).fill('session.started'),
          ...Array(4).fill('session.decided'),
          'keys.rotated',
          'customer.erased',
        ].sort(),
      );

      const intact = await cli(['audit', 'verify'], env);
      expect(intact.code, show(intact)).toBe(0);
      expect(intact.stdout).toBe(`audit trail intact: 10 entries, last hash ${entries.at(-1)!.hash}\n`);

      const [jsonl, csv] = await Promise.all([
        cli(['audit', 'export'], env),
        cli(['audit', 'export', '--format', 'csv'], env),
      ]);
      expect(jsonl.code, show(jsonl)).toBe(0);
      expect(jsonlSeqs(jsonl.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(csv.code, show(csv)).toBe(0);
      expect(csv.stdout.split('\r\n').filter(Boolean)).toHaveLength(11);

      await sql(url, `UPDATE audit_log SET detail = '{"tampered":true}' WHERE seq = 2`);
      const broken = await cli(['audit', 'verify'], env);
      expect(broken.code, show(broken)).toBe(1);
      expect(broken.stdout).toContain('audit trail broken at entry 2');
    },
    TEST_TIMEOUT,
  );
});
