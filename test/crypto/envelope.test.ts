import { describe, expect, it } from 'vitest';
import { DataCipher, DecryptionError } from '../../src/crypto/envelope.js';
import { generateKeyEntry, KeyRingError, parseKeyRing } from '../../src/crypto/key-ring.js';
import { LookupHasher } from '../../src/crypto/lookup-hash.js';

const key = (id: string, byte: number) => `${id}:${Buffer.alloc(32, byte).toString('base64')}`;

describe('parseKeyRing', () => {
  it('reads id:base64 entries; the first encrypts, all decrypt', () => {
    const ring = parseKeyRing(` ${key('new', 1)} , ${key('old', 2)} `);
    expect(ring.current.id).toBe('new');
    expect(ring.ids).toEqual(['new', 'old']);
    expect(ring.get('old')).toEqual(Buffer.alloc(32, 2));
  });

  it.each([
    ['', /is empty/],
    ['nocolon', /entry 1 must be id:base64-key/],
    [`bad id:${Buffer.alloc(32).toString('base64')}`, /entry 1 must be id:base64-key/],
    [`k1:${Buffer.alloc(16).toString('base64')}`, /key "k1" is 16 bytes; it must be 32/],
    [`${key('k1', 1)},${key('k1', 2)}`, /names key "k1" twice/],
  ])('refuses %j with a message naming the setting', (text, message) => {
    expect(() => parseKeyRing(text)).toThrow(KeyRingError);
    expect(() => parseKeyRing(text)).toThrow(message);
    expect(() => parseKeyRing(text)).toThrow(/DATA_ENCRYPTION_KEYS/);
  });

  it('a generated entry parses and holds 32 random bytes', () => {
    const a = parseKeyRing(generateKeyEntry(new Date('2026-12-02T00:00:00Z')));
    const b = parseKeyRing(generateKeyEntry());
    expect(a.current.id).toMatch(/^k20261202[0-9a-f]{6}$/);
    expect(a.current.key).toHaveLength(32);
    expect(a.current.key.equals(b.current.key)).toBe(false);
  });
});

describe('DataCipher', () => {
  const cipher = new DataCipher(parseKeyRing(key('k1', 1)));

  it('seals to text without the plaintext, opens back; each seal differs (random data key and iv)', () => {
    const a = cipher.seal('{"ssn":"987654329"}', 'session_data.input/s1');
    const b = cipher.seal('{"ssn":"987654329"}', 'session_data.input/s1');
    expect(a).toMatch(/^e1\.k1\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('987654329');
    expect(a).not.toBe(b);
    expect(cipher.open(a, 'session_data.input/s1')).toBe('{"ssn":"987654329"}');
  });

  it('a value moved to another row or column does not open (the context is associated data)', () => {
    const sealed = cipher.seal('secret', 'session_data.input/s1');
    expect(() => cipher.open(sealed, 'session_data.input/s2')).toThrow(DecryptionError);
    expect(() => cipher.open(sealed, 'session_data.outputs/s1')).toThrow(/does not decrypt with key "k1"/);
  });

  it('an altered ciphertext does not open', () => {
    const sealed = cipher.seal('secret', 'c/1');
    // A character inside the tag (the last one may carry only padding bits, which decode alike).
    const at = sealed.length - 10;
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(() => cipher.open(altered, 'c/1')).toThrow(DecryptionError);
  });

  it('a wrong key with the same id is a clear error, never garbage or the key', () => {
    const sealed = cipher.seal('secret', 'c/1');
    const other = new DataCipher(parseKeyRing(key('k1', 9)));
    let message = '';
    try {
      other.open(sealed, 'c/1');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/does not decrypt with key "k1" of DATA_ENCRYPTION_KEYS/);
    expect(message).not.toContain(Buffer.alloc(32, 9).toString('base64'));
  });

  it('a key missing from the ring is named', () => {
    const sealed = cipher.seal('secret', 'c/1');
    const other = new DataCipher(parseKeyRing(key('k2', 2)));
    expect(() => other.open(sealed, 'c/1')).toThrow(
      'c/1 was encrypted with key "k1", which DATA_ENCRYPTION_KEYS does not hold (it holds "k2")',
    );
  });

  it('rewrap moves a value to the current key without changing its ciphertext; the old key is then not needed', () => {
    const sealed = cipher.seal('secret', 'c/1');
    const rotated = new DataCipher(parseKeyRing(`${key('k2', 2)},${key('k1', 1)}`));
    const rewrapped = rotated.rewrap(sealed, 'c/1');
    expect(rotated.keyIdOf(rewrapped, 'c/1')).toBe('k2');
    expect(rewrapped.split('.')[3]).toBe(sealed.split('.')[3]);
    expect(new DataCipher(parseKeyRing(key('k2', 2))).open(rewrapped, 'c/1')).toBe('secret');
    expect(() => cipher.open(rewrapped, 'c/1')).toThrow(DecryptionError);
  });

  it('refuses text that is not a sealed value', () => {
    expect(() => cipher.open('{"plain":true}', 'c/1')).toThrow('c/1 is not encrypted data');
  });
});

describe('LookupHasher', () => {
  it('is keyed: the same value hashes alike under one key, differently under another, never to itself', () => {
    const a = new LookupHasher(Buffer.alloc(32, 1));
    const b = new LookupHasher(Buffer.alloc(32, 2));
    expect(a.hash('customer-42')).toBe(a.hash('customer-42'));
    expect(a.hash('customer-42')).not.toBe(b.hash('customer-42'));
    expect(a.hash('customer-42')).toMatch(/^h1\.[\w-]{43}$/);
    expect(a.hash('customer-42')).not.toContain('customer-42');
  });
});
