/**
 * Where the key ring comes from: `DATA_ENCRYPTION_KEYS` when set; else, for a SQLite file, a key file beside it
 * (created on first start, mode 0600); for an in-memory database a throwaway key. PostgreSQL is shared by
 * instances that must all hold the same keys, so it never gets a generated one.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseTarget } from '../store/index.js';
import { generateKeyEntry, KEY_RING_SETTING, type KeyRing, KeyRingError, parseKeyRing } from './key-ring.js';

export type KeySource =
  | { ring: KeyRing; origin: 'configured' }
  | { ring: KeyRing; origin: 'key-file'; path: string; created: boolean }
  | { ring: KeyRing; origin: 'ephemeral' };

export function keyFilePath(sqlitePath: string): string {
  return `${sqlitePath}.keys`;
}

export function resolveKeyRing(target: DatabaseTarget, configured?: string): KeySource {
  if (configured !== undefined && configured.trim() !== '') {
    return { ring: parseKeyRing(configured), origin: 'configured' };
  }
  if (target.kind === 'postgres') {
    throw new KeyRingError(
      `PostgreSQL needs ${KEY_RING_SETTING} (every instance must hold the same keys): run ` +
        `\`socure-connector keys generate\` and set ${KEY_RING_SETTING} to its output on every instance`,
    );
  }
  if (target.path === ':memory:' || target.path === '') {
    return { ring: parseKeyRing(generateKeyEntry()), origin: 'ephemeral' };
  }
  const path = keyFilePath(target.path);
  const created = createKeyFile(path);
  return { ring: readKeyFile(path), origin: 'key-file', path, created };
}

/**
 * Creates the key file unless it exists. Written whole to a private temporary file, then linked into place: the
 * link fails if the file exists, so of processes starting at once the first one's key wins, and none ever reads
 * a key file another is still writing.
 */
function createKeyFile(path: string): boolean {
  const text =
    `# socure-connector data encryption keys (${KEY_RING_SETTING}), one per line, the first encrypts.\n` +
    '# Keep it secret and back it up: without it the personal data in the database cannot be read.\n' +
    `${generateKeyEntry()}\n`;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, text, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(temporary, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temporary);
  }
}

function readKeyFile(path: string): KeyRing {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  try {
    return parseKeyRing(lines.join(','));
  } catch (err) {
    throw new KeyRingError(`key file ${path}: ${(err as Error).message}`);
  }
}
