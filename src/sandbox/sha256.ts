import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, outputEncoding: 'buffer') => Buffer;
// `crypto.hash` (Node ≥ 20.12) skips the Hash object that createHash allocates: about half the cost for the
// short strings hashed here. Older Node 20 releases fall back to createHash; the digests are the same.
const oneShot = (crypto as { hash?: OneShot }).hash;

/** SHA-256 of a UTF-8 string. */
export const sha256: (data: string) => Buffer = oneShot
  ? (data) => oneShot('sha256', data, 'buffer')
  : (data) => crypto.createHash('sha256').update(data).digest();
