/**
 * For the tests of the commands that administer the service's database (keys, forget, audit): the real binary as
 * a child process, and a SQLite database populated through the store, as the service would have left it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyEntry } from '../../src/crypto/key-ring.js';
import { openStore, type Store } from '../../src/store/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'socure-connector.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only what a child needs: no DATABASE_URL, DATA_ENCRYPTION_KEYS or SOCURE_* from the developer's shell. */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'SystemRoot', 'LANG'];
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...baseEnv(), ...env }, timeout: 60_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(); // not a terminal, and nothing to read
  });
}

/** Starts the binary and leaves it running: for tests that signal it midway. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

export const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A ring entry whose id is unique even when two are made within the same second. */
export function newKey(): string {
  return generateKeyEntry();
}

export const keyId = (entry: string) => entry.slice(0, entry.indexOf(':'));

/** A store on a SQLite file path, or on a database URL (postgres://…). */
export function open(db: string, keys: string): Promise<Store> {
  return openStore(/^postgres(ql)?:/.test(db) ? db : `sqlite:${db}`, { dataEncryptionKeys: keys });
}

/** What a person typed in a session, distinctive enough to find. */
export const PII = { firstName: 'Zebulon', ssn: '987-65-4321', dob: '1961-07-04' };

/**
 * A session as a finished flow leaves it: input, a node output, a result and a callback to the app. With a
 * customer user id when given. Returns nothing: read it back with the store.
 */
export async function seedSession(
  store: Store,
  id: string,
  customerUserId: string | null,
  at = 1_000,
): Promise<void> {
  const created = await store.createSession(
    {
      id,
      flowId: 'id-plus-score',
      nodeId: 'start',
      customerUserId,
      returnUrl: null,
      expiresAt: at + 3_600_000,
      input: { ...PII, session: id },
      audit: [
        { type: 'session.started', actor: 'public-page', detail: { flow: 'id-plus-score', session: id } },
      ],
    },
    at,
    { owner: 'seed', until: null },
  );
  await store.commitStep({
    sessionId: id,
    expectedVersion: created.version,
    now: at + 1,
    lease: { owner: 'seed', until: null },
    patch: { status: 'completed', outcome: 'verified', nodeId: 'end' },
    output: { nodeId: 'score', value: { echo: PII.ssn } },
    result: { decision: 'accept', firstName: PII.firstName },
    outbound: {
      id: `cb-${id}`,
      sessionId: id,
      url: 'https://app.example/cb',
      body: JSON.stringify({ session: id, firstName: PII.firstName }),
      nextAttemptAt: at + 2,
    },
    audit: [{ type: 'session.decided', actor: 'engine', detail: { session: id, outcome: 'verified' } }],
  });
}

export async function seedDelivery(store: Store, id: string, customerUserId: string | null): Promise<void> {
  await store.insertDelivery(
    {
      deliveryId: id,
      eventType: 'VERIFICATION_COMPLETED',
      docvTransactionToken: `tok-${id}`,
      referenceId: null,
      customerUserId: customerUserId === null ? null : store.lookupHash(customerUserId),
      payload: JSON.stringify({ id, data: { firstName: PII.firstName } }),
      authenticated: true,
      receivedAt: 1_000,
    },
    0,
  );
}

/** Every chained entry, chaining the pending ones first. */
export async function allAudit(store: Store) {
  while ((await store.chainAudit(1000)) > 0);
  return store.listAudit({ limit: 100_000 });
}
