/**
 * `keys generate` and `keys rotate`, run as a person runs them (the real binary, a child process) against a SQLite
 * database the store populated: after a rotation with a new key first in the ring, the data opens with the new
 * key alone and no longer with the old one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/crypto/envelope.js';
import { parseKeyRing } from '../../src/crypto/key-ring.js';
import { allAudit, keyId, newKey, open, PII, seedDelivery, seedSession } from './admin-support.js';
import { cli, show, spawnCli } from './run-cli.js';

const TEST_TIMEOUT = 120_000;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'socure-cli-keys-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('socure-connector keys generate', () => {
  it(
    'prints one ring entry on stdout (32 random bytes) and how to use it on stderr',
    async () => {
      const [a, b] = await Promise.all([cli(['keys', 'generate']), cli(['keys', 'generate'])]);
      expect(a.code, show(a)).toBe(0);
      expect(b.code, show(b)).toBe(0);
      // stdout is the entry and nothing else: `export DATA_ENCRYPTION_KEYS=$(socure-connector keys generate)`.
      expect(a.stdout).toMatch(/^k\d{8}[0-9a-f]{6}:[A-Za-z0-9+/]{43}=\n$/);
      const ring = parseKeyRing(a.stdout.trim());
      expect(ring.ids).toEqual([keyId(a.stdout.trim())]);
      expect(ring.current.key.length).toBe(32);
      expect(b.stdout).not.toBe(a.stdout);
      expect(a.stderr).toContain('DATA_ENCRYPTION_KEYS');
      expect(a.stderr).toContain('keys rotate');
      expect(a.stderr).toContain(keyId(a.stdout.trim()));
      // The secret itself is only on stdout.
      expect(a.stderr).not.toContain(a.stdout.trim().split(':')[1]);
    },
    TEST_TIMEOUT,
  );

  it(
    'two rings of generated entries parse, the new key first',
    async () => {
      const r = await cli(['keys', 'generate']);
      const old = newKey();
      const ring = parseKeyRing(`${r.stdout.trim()},${old}`);
      expect(ring.current.id).toBe(keyId(r.stdout.trim()));
      expect(ring.ids).toEqual([keyId(r.stdout.trim()), keyId(old)]);
    },
    TEST_TIMEOUT,
  );
});

describe('socure-connector keys rotate', () => {
  it(
    're-seals every record under the new key: it opens with the new key alone, not with the old one',
    async () => {
      const db = join(workDir, 'rotate.db');
      const oldKey = newKey();
      const store = await open(db, oldKey);
      for (let i = 0; i < 5; i++) await seedSession(store, `s${i}`, `cu-${i % 2}`);
      await seedDelivery(store, 'd1', 'cu-0');
      await seedDelivery(store, 'd2', null);
      const before = await store.getSessionData('s3');
      const outboundBefore = await store.listOutbound('s3');
      await store.close();
      expect(before?.input).toMatchObject(PII);

      let newRingFirst = newKey();
      while (keyId(newRingFirst) === keyId(oldKey)) newRingFirst = newKey();
      const ring = `${newRingFirst},${oldKey}`;
      const pending = await open(db, ring);
      const toRotate = await pending.countRecordsToRotate();
      await pending.close();
      expect(toRotate).toBeGreaterThan(20);

      const r = await cli(['keys', 'rotate', '--batch', '2', '--database-url', db], {
        DATA_ENCRYPTION_KEYS: ring,
      });
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain(
        `re-sealed ${toRotate} record(s) under key "${keyId(newRingFirst)}"; 0 left`,
      );
      // Not a terminal: a progress line per batch, the last one complete.
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('re-sealed '));
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.at(-1)).toBe(`re-sealed ${toRotate}/${toRotate}`);

      // The new key alone opens everything, and nothing is left under the old one.
      const rotated = await open(db, newRingFirst);
      try {
        expect(await rotated.countRecordsToRotate()).toBe(0);
        expect(await rotated.getSessionData('s3')).toEqual(before);
        expect(await rotated.listOutbound('s3')).toEqual(outboundBefore);
        const [delivery] = await rotated.findDeliveries({ docvTransactionToken: 'tok-d1' }, [
          'VERIFICATION_COMPLETED',
        ]);
        expect(JSON.parse(delivery!.payload)).toMatchObject({ data: { firstName: PII.firstName } });
        // Lookups by customer user id still work (the lookup key was re-sealed, not replaced).
        expect(
          await rotated.findDeliveries({ customerUserId: rotated.lookupHash('cu-0') }, [
            'VERIFICATION_COMPLETED',
          ]),
        ).toHaveLength(1);
        const audit = await allAudit(rotated);
        expect(audit.filter((e) => e.type === 'keys.rotated')).toEqual([
          expect.objectContaining({
            actor: 'cli',
            detail: { key: keyId(newRingFirst), resealed: toRotate },
          }),
        ]);
      } finally {
        await rotated.close();
      }

      // The old key alone opens nothing any more: a clear error, not garbage.
      await expect(open(db, oldKey)).rejects.toThrow(DecryptionError);
      const withOld = await cli(['audit', 'verify', '--database-url', db], { DATA_ENCRYPTION_KEYS: oldKey });
      expect(withOld.code, show(withOld)).toBe(1);
      expect(withOld.stderr).toContain(`encrypted with key "${keyId(newRingFirst)}"`);
      expect(withOld.stderr).toContain('DATA_ENCRYPTION_KEYS does not hold');
      expect(withOld.stderr).not.toMatch(/\n\s+at /); // no stack trace

      // Run again: nothing to do, still 0, and it says so.
      const again = await cli(['keys', 'rotate', '--database-url', db], { DATA_ENCRYPTION_KEYS: ring });
      expect(again.code, show(again)).toBe(0);
      expect(again.stdout).toContain('re-sealed 0 record(s)');
    },
    TEST_TIMEOUT,
  );

  it(
    'Ctrl-C stops after the current batch; running it again finishes the rotation',
    async () => {
      const db = join(workDir, 'resume.db');
      const oldKey = newKey();
      const store = await open(db, oldKey);
      const ids = Array.from({ length: 400 }, (_, i) => `r${i}`);
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(ids.slice(i, i + 50).map((id) => seedSession(store, id, id)));
      }
      await store.close();
      const newFirst = newKey();
      const ring = `${newFirst},${oldKey}`;
      const env = { DATA_ENCRYPTION_KEYS: ring, DATABASE_URL: `sqlite:${db}` };

      const { child, done } = spawnCli(['keys', 'rotate', '--batch', '1'], env);
      let signalled = false;
      child.stderr!.on('data', (d: Buffer) => {
        if (!signalled && d.toString().includes('re-sealed ')) {
          signalled = true;
          child.kill('SIGINT');
        }
      });
      const stopped = await done;
      expect(signalled, show(stopped)).toBe(true);
      expect(stopped.code, show(stopped)).toBe(130);
      expect(stopped.stderr).toContain('stopping after the current batch');
      const left = /; (\d+) left/.exec(stopped.stdout);
      expect(left, show(stopped)).not.toBeNull();
      const remaining = Number(left![1]);
      expect(remaining).toBeGreaterThan(0);

      const half = await open(db, ring);
      expect(await half.countRecordsToRotate()).toBe(remaining);
      const [entry] = (await allAudit(half)).filter((e) => e.type === 'keys.rotated');
      expect(entry?.detail).toMatchObject({ key: keyId(newFirst), remaining });
      expect(entry?.detail.resealed).toBeGreaterThan(0);
      await half.close();

      const rest = await cli(['keys', 'rotate', '--batch', '500'], env);
      expect(rest.code, show(rest)).toBe(0);
      expect(rest.stdout).toContain(`re-sealed ${remaining} record(s)`);
      const done2 = await open(db, newFirst);
      try {
        expect(await done2.countRecordsToRotate()).toBe(0);
        expect((await done2.getSessionData('r399'))?.input).toMatchObject(PII);
      } finally {
        await done2.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a bad --batch, a malformed ring, a missing database and PostgreSQL without keys',
    async () => {
      const db = join(workDir, 'refusals.db');
      const key = newKey();
      await (await open(db, key)).close();
      const [batch, ring, missing, pg] = await Promise.all([
        cli(['keys', 'rotate', '--batch', '0', '--database-url', db], { DATA_ENCRYPTION_KEYS: key }),
        cli(['keys', 'rotate', '--database-url', db], { DATA_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }),
        cli(['keys', 'rotate', '--database-url', join(workDir, 'nope.db')], { DATA_ENCRYPTION_KEYS: key }),
        cli(['keys', 'rotate', '--database-url', 'postgres://u:p@127.0.0.1:1/db']),
      ]);
      expect(batch.code, show(batch)).toBe(2);
      expect(batch.stderr).toContain('--batch');
      expect(ring.code, show(ring)).toBe(2);
      expect(ring.stderr).toContain('DATA_ENCRYPTION_KEYS');
      expect(ring.stderr).toContain('32 bytes');
      expect(missing.code, show(missing)).toBe(2);
      expect(missing.stderr).toContain('no database at');
      expect(pg.code, show(pg)).toBe(2);
      expect(pg.stderr).toContain('PostgreSQL needs DATA_ENCRYPTION_KEYS');
      expect(pg.stderr).toContain('keys generate');
    },
    TEST_TIMEOUT,
  );

  it(
    'without DATA_ENCRYPTION_KEYS uses the key file beside a SQLite database, as the service does',
    async () => {
      const db = join(workDir, 'keyfile.db');
      // Opened with no ring configured: the store makes the key file, as `start` would.
      const store = await open(db, '');
      await seedSession(store, 'kf', 'cu-kf');
      await store.close();
      const r = await cli(['keys', 'rotate', '--database-url', db]);
      expect(r.code, show(r)).toBe(0);
      expect(r.stdout).toContain('re-sealed 0 record(s)');
      await rm(`${db}.keys`);
      const gone = await cli(['keys', 'rotate', '--database-url', db]);
      expect(gone.code, show(gone)).toBe(2);
      expect(gone.stderr).toContain('no key for');
    },
    TEST_TIMEOUT,
  );
});
