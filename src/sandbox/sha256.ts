import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, outputEncoding: 'hex' | 'binary') => string;
// `crypto.hash` (Node ≥ 20.12) skips the Hash object that createHash allocates, and a string is
// cheaper to get out of it than a Buffer: together ~4× faster for the short strings hashed per request
// here. Older Node 20 releases fall back to createHash; the digests are the same.
const oneShot = (crypto as { hash?: OneShot }).hash;

const digest: (data: string, encoding: 'hex' | 'binary') => string = oneShot
  ? (data, encoding) => oneShot('sha256', data, encoding)
  : (data, encoding) => crypto.createHash('sha256').update(data).digest(encoding);

/** SHA-256 of a UTF-8 string, as 64 lower-case hex digits. */
export const sha256Hex = (data: string): string => digest(data, 'hex');

/**
 * The first 6 bytes of the SHA-256 of a UTF-8 string, big-endian, over 2^48: a number in [0, 1), the same
 * as `parseInt(sha256Hex(data).slice(0, 12), 16) / 2 ** 48`. Read from the latin1 digest, which skips the
 * hex string and parseInt; the sum stays below 2^48, so it is exact.
 */
export function sha256Unit(data: string): number {
  const d = digest(data, 'binary'); // Node's other name for latin1: one char per byte
  return (
    (d.charCodeAt(0) * 2 ** 40 +
      d.charCodeAt(1) * 2 ** 32 +
      d.charCodeAt(2) * 2 ** 24 +
      d.charCodeAt(3) * 2 ** 16 +
      d.charCodeAt(4) * 2 ** 8 +
      d.charCodeAt(5)) /
    2 ** 48
  );
}
