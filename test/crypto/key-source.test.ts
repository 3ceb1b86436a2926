import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyRingError } from '../../src/crypto/key-ring.js';
import { keyFilePath, resolveKeyRing } from '../../src/crypto/key-source.js';

const dir = () => mkdtempSync(join(tmpdir(), 'socure-keys-'));
const entry = `cfg:${Buffer.alloc(32, 3).toString('base64')}`;

describe('resolveKeyRing', () => {
  it('uses DATA_ENCRYPTION_KEYS when set, on SQLite and PostgreSQL', () => {
    const path = join(dir(), 'x.db');
    expect(resolveKeyRing({ kind: 'sqlite', path }, entry)).toMatchObject({ origin: 'configured' });
    expect(resolveKeyRing({ kind: 'postgres', url: 'postgres://h/db' }, entry).ring.current.id).toBe('cfg');
  });

  it('creates a key file beside a SQLite database (mode 0600, directory made), then reuses it', () => {
    const path = join(dir(), 'nested', 'x.db');
    const first = resolveKeyRing({ kind: 'sqlite', path });
    expect(first).toMatchObject({ origin: 'key-file', path: keyFilePath(path), created: true });
    expect(statSync(keyFilePath(path)).mode & 0o777).toBe(0o600);
    const again = resolveKeyRing({ kind: 'sqlite', path });
    expect(again).toMatchObject({ origin: 'key-file', created: false });
    expect(again.ring.current.key.equals(first.ring.current.key)).toBe(true);
    expect(readFileSync(keyFilePath(path), 'utf8')).toMatch(/^# socure-connector data encryption keys/);
  });

  it('reads a key file edited into a ring (new key first, comments ignored)', () => {
    const path = join(dir(), 'x.db');
    writeFileSync(keyFilePath(path), `# comment\n${entry}\nold:${Buffer.alloc(32, 4).toString('base64')}\n`);
    expect(resolveKeyRing({ kind: 'sqlite', path }).ring.ids).toEqual(['cfg', 'old']);
  });

  it('names the key file when it holds no valid key', () => {
    const path = join(dir(), 'x.db');
    writeFileSync(keyFilePath(path), 'k1:short\n');
    expect(() => resolveKeyRing({ kind: 'sqlite', path })).toThrow(`key file ${keyFilePath(path)}:`);
  });

  it('refuses PostgreSQL without keys, saying how to make one', () => {
    expect(() => resolveKeyRing({ kind: 'postgres', url: 'postgres://h/db' })).toThrow(KeyRingError);
    expect(() => resolveKeyRing({ kind: 'postgres', url: 'postgres://h/db' })).toThrow(
      /socure-connector keys generate/,
    );
  });

  it('gives an in-memory database a throwaway key', () => {
    const a = resolveKeyRing({ kind: 'sqlite', path: ':memory:' });
    const b = resolveKeyRing({ kind: 'sqlite', path: ':memory:' });
    expect(a.origin).toBe('ephemeral');
    expect(a.ring.current.key.equals(b.ring.current.key)).toBe(false);
  });
});
