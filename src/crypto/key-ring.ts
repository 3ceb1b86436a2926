/**
 * The key-encryption keys (`DATA_ENCRYPTION_KEYS`): `id:base64-32-bytes`, comma-separated. The first encrypts,
 * every one decrypts, so a new key goes first and an old one stays until `keys rotate` has re-wrapped its records.
 */
import { randomBytes } from 'node:crypto';

export const KEY_RING_SETTING = 'DATA_ENCRYPTION_KEYS';
const KEY_ID = /^[A-Za-z0-9_-]{1,40}$/;

export class KeyRingError extends Error {}

export interface DataKey {
  id: string;
  key: Buffer;
}

export class KeyRing {
  readonly #byId: Map<string, Buffer>;
  readonly current: DataKey;

  constructor(keys: readonly DataKey[]) {
    if (keys.length === 0) throw new KeyRingError(`${KEY_RING_SETTING} holds no key`);
    this.#byId = new Map();
    for (const { id, key } of keys) {
      if (this.#byId.has(id)) throw new KeyRingError(`${KEY_RING_SETTING} names key "${id}" twice`);
      this.#byId.set(id, key);
    }
    this.current = keys[0]!;
  }

  get(id: string): Buffer | undefined {
    return this.#byId.get(id);
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }
}

/** Reads a key ring; errors name the setting and the entry, never a key's bytes. */
export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    throw new KeyRingError(
      `${KEY_RING_SETTING} is empty: generate a key with \`socure-connector keys generate\``,
    );
  }
  return new KeyRing(
    entries.map((entry, index) => {
      const colon = entry.indexOf(':');
      const id = colon < 0 ? '' : entry.slice(0, colon);
      if (!KEY_ID.test(id)) {
        throw new KeyRingError(
          `${KEY_RING_SETTING} entry ${index + 1} must be id:base64-key (an id of letters, digits, _ or -, ` +
            'then a colon, then 32 bytes in base64)',
        );
      }
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (key.length !== 32) {
        throw new KeyRingError(
          `${KEY_RING_SETTING} key "${id}" is ${key.length} bytes; it must be 32 bytes in base64 ` +
            '(`socure-connector keys generate` makes one)',
        );
      }
      return { id, key };
    }),
  );
}

/** A new ring entry, `k<yyyymmdd><random>:<base64>`: put it first in the ring to start encrypting with it. */
export function generateKeyEntry(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `k${day}${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`;
}
