/**
 * Keyed hashes for values the store must find by (a customerUserId), so the value itself is never stored:
 * HMAC-SHA-256 under a lookup key of its own. The lookup key is not a ring key, so rotating the ring does not
 * change any hash; it is kept in the database sealed by the ring (see `SqlStore.open`).
 */
import { createHmac } from 'node:crypto';

export class LookupHasher {
  constructor(readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the lookup key must be 32 bytes');
  }

  hash(value: string): string {
    return `h1.${createHmac('sha256', this.key).update(value, 'utf8').digest('base64url')}`;
  }
}
