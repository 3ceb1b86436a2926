/**
 * How the store keeps personal data: sealed with the key ring (each value bound to its table, row and column)
 * and customer user ids as keyed hashes. Every read and write of a personal column goes through here.
 */
import { randomBytes } from 'node:crypto';
import { DataCipher } from '../crypto/envelope.js';
import { generateKeyEntry, type KeyRing, parseKeyRing } from '../crypto/key-ring.js';
import { LookupHasher } from '../crypto/lookup-hash.js';

/** The setting that holds the lookup (HMAC) key, sealed by the ring. */
export const LOOKUP_KEY_SETTING = 'lookup-key';
const SEALED = 'e1.';

export type SealedColumn =
  | 'sessions.customer_user_id'
  | 'sessions.return_url'
  | 'session_data.input'
  | 'session_data.outputs'
  | 'session_data.result'
  | 'webhook_inbox.payload'
  | 'outbound_webhooks.body'
  | 'settings.value';

export class PersonalData {
  readonly cipher: DataCipher;
  #hasher: LookupHasher | undefined;

  constructor(ring: KeyRing = parseKeyRing(generateKeyEntry())) {
    this.cipher = new DataCipher(ring);
  }

  /** The lookup key, generated once per database (sealed in `settings`) and kept across rotations. */
  async loadLookupKey(getOrCreate: (name: string, create: () => string) => Promise<string>): Promise<void> {
    const sealed = await getOrCreate(LOOKUP_KEY_SETTING, () =>
      this.seal('settings.value', LOOKUP_KEY_SETTING, randomBytes(32).toString('base64')),
    );
    this.#hasher = new LookupHasher(
      Buffer.from(this.open('settings.value', LOOKUP_KEY_SETTING, sealed), 'base64'),
    );
  }

  /** Keyed hash of a customer user id: the only form in which the store finds one. */
  hash(value: string): string {
    if (!this.#hasher) throw new Error('the store is not open: its lookup key is not loaded');
    return this.#hasher.hash(value);
  }

  seal(column: SealedColumn, rowId: string, plaintext: string): string {
    return this.cipher.seal(plaintext, context(column, rowId));
  }

  /** Opens a sealed value; a value stored before encryption (a legacy row, until `keys rotate`) is returned as is. */
  open(column: SealedColumn, rowId: string, stored: string): string {
    return isSealed(stored) ? this.cipher.open(stored, context(column, rowId)) : stored;
  }

  sealJson(column: SealedColumn, rowId: string, value: unknown): string {
    return this.seal(column, rowId, JSON.stringify(value === undefined ? null : value));
  }

  openJson<T>(column: SealedColumn, rowId: string, stored: string): T {
    return JSON.parse(this.open(column, rowId, stored)) as T;
  }

  /** A stored value under the ring's current key: rewrapped, or sealed when it was stored in plain text. */
  reseal(column: SealedColumn, rowId: string, stored: string): string {
    return isSealed(stored)
      ? this.cipher.rewrap(stored, context(column, rowId))
      : this.seal(column, rowId, stored);
  }

  /** True when a stored value is sealed under the ring's current key. */
  isCurrent(column: SealedColumn, rowId: string, stored: string): boolean {
    return (
      isSealed(stored) && this.cipher.keyIdOf(stored, context(column, rowId)) === this.cipher.ring.current.id
    );
  }
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

/** Associated data of a value: its column and row, so a sealed value moved elsewhere does not open. */
function context(column: SealedColumn, rowId: string): string {
  return `${column}/${rowId}`;
}
