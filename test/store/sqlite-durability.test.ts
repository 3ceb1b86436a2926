/**
 * SQLite durability and file permissions:
 * - `synchronous=FULL` by default (an acknowledged commit survives power loss in WAL mode), NORMAL only when
 *   SQLITE_SYNCHRONOUS=normal / --sqlite-synchronous normal asks for it, other values refused;
 * - the database file and its -wal/-shm files are created 0600, and directories the store creates 0700.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCommand } from '../../src/cli/commands/start.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { startService } from '../../src/server/service.js';
import { openSqliteStore, openStore, SqliteStore, type Store } from '../../src/store/index.js';
import Database from '../../src/store/sqlite-driver.js';
import { FREE, newSession } from './contract.js';

let home: string;
let n = 0;
const stores: Store[] = [];
const track = <S extends Store>(store: S): S => {
  stores.push(store);
  return store;
};
const file = (...parts: string[]) => join(home, ...parts, `db-${++n}.db`);
const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

/** The synchronous pragma of a store's own connection, read on that connection. */
const synchronousOf = (store: Store) => (store as SqliteStore & { synchronous?: unknown }).synchronous;

let umask: number | undefined;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'socure-sqlite-durability-'));
  // The usual umask, whatever the machine's: SQLite's own default (0644) and mkdir's (0755) then show.
  umask = process.umask(0o022);
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => {
  if (umask !== undefined) process.umask(umask);
  rmSync(home, { recursive: true, force: true });
});

describe('SQLite synchronous', () => {
  it('is FULL by default on the store’s connection (openSqliteStore, openStore, the constructor)', async () => {
    const database = new Database(file());
    const c = track(new SqliteStore(database));
    expect(database.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(synchronousOf(c)).toBe('full');
    const a = track(await openSqliteStore(file()));
    expect(synchronousOf(a)).toBe('full');
    const b = track(await openStore(`sqlite:${file()}`));
    expect(synchronousOf(b)).toBe('full');
  });

  it('is NORMAL when asked for', async () => {
    const a = track(await openSqliteStore(file(), { synchronous: 'normal' } as never));
    expect(synchronousOf(a)).toBe('normal');
    const b = track(await openStore(`sqlite:${file()}`, { sqliteSynchronous: 'normal' } as never));
    expect(synchronousOf(b)).toBe('normal');
    const database = new Database(file());
    track(new SqliteStore(database, { synchronous: 'normal' } as never));
    expect(database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    // and FULL when asked for explicitly
    const full = track(await openStore(`sqlite:${file()}`, { sqliteSynchronous: 'full' } as never));
    expect(synchronousOf(full)).toBe('full');
  });

  it('refuses other values at open', async () => {
    await expect(openSqliteStore(file(), { synchronous: 'off' } as never)).rejects.toThrow(
      /synchronous must be "full" or "normal"/,
    );
    await expect(openStore(`sqlite:${file()}`, { sqliteSynchronous: 'extra' } as never)).rejects.toThrow(
      /synchronous must be "full" or "normal"/,
    );
  });

  it('SQLITE_SYNCHRONOUS: full (default) or normal, any case; other values refused, naming the setting', () => {
    const s = (env: Record<string, string>, flags: Record<string, string> = {}) =>
      (resolveServiceSettings(env, flags) as { sqliteSynchronous?: unknown }).sqliteSynchronous;
    expect(s({})).toBe('full');
    expect(s({ SQLITE_SYNCHRONOUS: 'normal' })).toBe('normal');
    expect(s({ SQLITE_SYNCHRONOUS: ' NORMAL ' })).toBe('normal');
    expect(s({ SQLITE_SYNCHRONOUS: 'FULL' })).toBe('full');
    expect(s({ SQLITE_SYNCHRONOUS: 'normal' }, { sqliteSynchronous: 'full' })).toBe('full');
    for (const bad of ['off', 'extra', '2', 'yes']) {
      expect(() => resolveServiceSettings({ SQLITE_SYNCHRONOUS: bad }, {})).toThrow(
        /SQLITE_SYNCHRONOUS must be full or normal/,
      );
    }
    expect(() => resolveServiceSettings({}, { sqliteSynchronous: 'off' })).toThrow(
      /--sqlite-synchronous must be full or normal/,
    );
    // PostgreSQL has its own durability settings: the SQLite one is accepted and ignored there
    expect(s({ SQLITE_SYNCHRONOUS: 'normal', DATABASE_URL: 'postgres://u:p@db.example:5432/socure' })).toBe(
      'normal',
    );
  });

  it('start --sqlite-synchronous sets it', () => {
    const cmd = startCommand().action(() => undefined);
    cmd.parse(['--sqlite-synchronous', 'normal'], { from: 'user' });
    const settings = resolveServiceSettings({}, cmd.opts()) as { sqliteSynchronous?: unknown };
    expect(settings.sqliteSynchronous).toBe('normal');
  });

  it('the service opens its SQLite store with the setting (startService)', async () => {
    for (const [env, expected] of [
      [{}, 'full'],
      [{ SQLITE_SYNCHRONOUS: 'normal' }, 'normal'],
    ] as const) {
      const settings = resolveServiceSettings(
        { ...env, PORT: '0', SANDBOX_PORT: '0', DATABASE_URL: `sqlite:${file()}`, LOG_LEVEL: 'silent' },
        {},
      );
      const pino = (await import('pino')).default;
      const service = await startService(settings, { logger: pino({ level: 'silent' }) });
      try {
        expect(service.store).toBeInstanceOf(SqliteStore);
        expect(synchronousOf(service.store)).toBe(expected);
      } finally {
        await service.close();
      }
    }
  });
});

describe('SQLite file permissions', () => {
  it('creates the database, -wal and -shm files 0600 and the directories it creates 0700', async () => {
    const path = file('created', 'nested');
    const store = track(await openSqliteStore(path));
    // write while the store is open: the -wal and -shm files exist until the last connection closes
    await store.getOrCreateSetting('probe', () => 'value');
    await store.createSession(newSession('perm-1'), 1, FREE);
    expect(octal(mode(path))).toBe('0600');
    expect(octal(mode(`${path}-wal`))).toBe('0600');
    expect(octal(mode(`${path}-shm`))).toBe('0600');
    expect(octal(mode(join(home, 'created')))).toBe('0700');
    expect(octal(mode(join(home, 'created', 'nested')))).toBe('0700');
  });

  it('through openStore (the service’s path) too', async () => {
    const path = file('via-url');
    const store = track(await openStore(`sqlite:${path}`));
    await store.getOrCreateSetting('probe', () => 'value');
    expect(octal(mode(path))).toBe('0600');
    expect(octal(mode(`${path}-wal`))).toBe('0600');
    expect(octal(mode(`${path}-shm`))).toBe('0600');
    expect(octal(mode(join(home, 'via-url')))).toBe('0700');
  });

  it('leaves a directory it did not create as it is', async () => {
    const dir = join(home, 'existing');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    const path = join(dir, 'x.db');
    const store = track(await openSqliteStore(path));
    await store.getOrCreateSetting('probe', () => 'value');
    expect(octal(mode(dir))).toBe('0750');
    expect(octal(mode(path))).toBe('0600');
  });
});
