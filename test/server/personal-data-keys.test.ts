/**
 * Issue 9: "A wrong key gives a clear error, not garbage." A service seals a person's data under one key ring;
 * the same database is then opened with other rings — the same key id with other bytes, a ring without that
 * key, the key kept second behind a new one — and sealed values are altered or moved to another row.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataCipher, DecryptionError } from '../../src/crypto/envelope.js';
import { parseKeyRing } from '../../src/crypto/key-ring.js';
import { resolveServiceSettings } from '../../src/server/config.js';
import { type RunningService, startService } from '../../src/server/service.js';
import { openStore } from '../../src/store/index.js';
import {
  createSession,
  MemoryLog,
  startTestService,
  submitScreen,
  type TestService,
  waitForCompletion,
  waitToken,
} from './helpers.js';
import { PERSON, rawQuery, rawSql, serviceDatabaseUrl } from './personal-data-support.js';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const RING_A = `k1:${KEY_A}`;
/** k1 first, and k2 (which sealed the session made in the rotation test) kept to open it. */
const RING_BOTH = `k1:${KEY_A},k2:${KEY_B}`;

let t: TestService;
let url: string;
const ids: string[] = [];

/** The real start path (startService) on the test's database with another key ring. */
async function startWith(dataEncryptionKeys: string): Promise<RunningService> {
  return startService(
    {
      ...resolveServiceSettings({}, {}),
      port: 0,
      sandboxPort: 0,
      databaseUrl: url,
      dataEncryptionKeys,
      publicUrl: 'http://localhost:0',
    },
    { tickMs: 100, logger: pino({ level: 'silent' }, new MemoryLog()) },
  );
}

/** What start (or opening the store) throws. */
async function failureOf(open: () => Promise<unknown>): Promise<Error> {
  try {
    const opened = (await open()) as { close(): Promise<void> };
    await opened.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('it opened');
}

/** The DecryptionError itself, or the one a wrapper carries as its cause. */
const decryptionErrorIn = (err: Error): DecryptionError | undefined =>
  err instanceof DecryptionError ? err : err.cause instanceof DecryptionError ? err.cause : undefined;

beforeAll(async () => {
  t = await startTestService({ dataEncryptionKeys: RING_A });
  url = await serviceDatabaseUrl(t);
  for (const customerUserId of ['keys-test-1', 'keys-test-2']) {
    const { id, path } = await createSession(t, {
      flow: 'idplus-score',
      customerUserId,
      input: { nationalId: PERSON.nationalId, dob: PERSON.dob },
    });
    expect((await submitScreen(t, path, PERSON)).status).toBe(303);
    await waitForCompletion(t, id);
    ids.push(id);
  }
  await t.service.close();
});
afterAll(() => {
  if (t) rmSync(t.dir, { recursive: true, force: true });
});

describe('opening the database with the wrong key', () => {
  it('stores each sealed value with the id of its key beside it', async () => {
    const db = await rawSql(url);
    try {
      const rows = await db.query<{ input: string; outputs: string; result: string }>(
        'select input, outputs, result from session_data where session_id = ?',
        [ids[0]],
      );
      for (const value of Object.values(rows[0]!)) expect(value).toMatch(/^e1\.k1\.[\w-]+\.[\w-]+$/);
      const [session] = await db.query<{ customer_user_id: string; customer_user_hash: string }>(
        'select customer_user_id, customer_user_hash from sessions where id = ?',
        [ids[0]],
      );
      expect(session!.customer_user_id).toMatch(/^e1\.k1\./);
      expect(session!.customer_user_hash).toMatch(/^h1\.[\w-]{43}$/);
    } finally {
      await db.close();
    }
  });

  it('the same key id with other bytes: a DecryptionError naming the key, never the key’s bytes', async () => {
    for (const [what, open] of [
      ['start', () => startWith(`k1:${KEY_B}`)],
      ['openStore', () => openStore(url, { keyRing: parseKeyRing(`k1:${KEY_B}`) })],
    ] as const) {
      const err = await failureOf(open);
      expect(decryptionErrorIn(err), `${what}: ${err.message}`).toBeDefined();
      expect(err.message, what).toMatch(/does not decrypt with key "k1" of DATA_ENCRYPTION_KEYS/);
      for (const key of [KEY_A, KEY_B]) expect(err.message).not.toContain(key);
    }
  });

  it('a ring without the key: says the ring does not hold key "k1", and which keys it holds', async () => {
    for (const [what, open] of [
      ['start', () => startWith(`k2:${KEY_B}`)],
      ['openStore', () => openStore(url, { keyRing: parseKeyRing(`k2:${KEY_B},k3:${KEY_A}`) })],
    ] as const) {
      const err = await failureOf(open);
      expect(decryptionErrorIn(err), `${what}: ${err.message}`).toBeDefined();
      expect(err.message, what).toMatch(
        /was encrypted with key "k1", which DATA_ENCRYPTION_KEYS does not hold \(it holds "k2"(, "k3")?\): add that key to the ring/,
      );
      for (const key of [KEY_A, KEY_B]) expect(err.message).not.toContain(key);
    }
  });

  it('the error is a DecryptionError itself on both databases (not wrapped in a connection error)', async () => {
    const err = await failureOf(() => openStore(url, { keyRing: parseKeyRing(`k1:${KEY_B}`) }));
    expect(err, err.message).toBeInstanceOf(DecryptionError);
    expect(err.message).not.toMatch(/cannot use PostgreSQL/);
  });

  it('with the old key kept second behind a new one: everything opens, new data is sealed with the new key', async () => {
    const store = await openStore(url, { keyRing: parseKeyRing(`k2:${KEY_B},k1:${KEY_A}`) });
    try {
      const data = (await store.getSessionData(ids[0]!))!;
      expect(data.input).toEqual({ nationalId: PERSON.nationalId, dob: PERSON.dob });
      expect(data.outputs.form).toMatchObject({ firstName: PERSON.firstName, nationalId: PERSON.nationalId });
      expect((await store.getSession(ids[0]!))!.customerUserId).toBe('keys-test-1');
      expect(store.lookupHash('keys-test-1')).toMatch(/^h1\./);
      const created = await store.createSession(
        {
          id: `rotated-${ids[0]}`,
          flowId: 'idplus-score',
          nodeId: 'form',
          customerUserId: 'keys-test-3',
          returnUrl: null,
          expiresAt: Date.now() + 60_000,
          input: { dob: PERSON.dob },
        },
        Date.now(),
        { owner: 'keys-test', until: null },
      );
      const db = await rawSql(url);
      try {
        const [row] = await db.query<{ input: string }>(
          'select input from session_data where session_id = ?',
          [created.id],
        );
        expect(row!.input).toMatch(/^e1\.k2\./);
      } finally {
        await db.close();
      }
      expect((await store.getSessionData(created.id))!.input).toEqual({ dob: PERSON.dob });
    } finally {
      await store.close();
    }
  });
});

describe('a sealed value altered or moved to another row', () => {
  it('does not open: a DecryptionError naming the record and the key, and the API answers 500 without data', async () => {
    const db = await rawSql(url);
    const [first, second] = ids as [string, string];
    try {
      const [row] = await db.query<{ input: string }>('select input from session_data where session_id = ?', [
        second,
      ]);
      // Moved: the second session's sealed input into the first session's row (bound to its row: no).
      await db.query('update session_data set input = ? where session_id = ?', [row!.input, first]);
      const store = await openStore(url, { keyRing: parseKeyRing(RING_BOTH) });
      try {
        const moved = await store.getSessionData(first).catch((e: unknown) => e as Error);
        expect(moved).toBeInstanceOf(DecryptionError);
        expect((moved as Error).message).toBe(
          `session_data.input/${first} does not decrypt with key "k1" of DATA_ENCRYPTION_KEYS: the key's bytes ` +
            'are not the ones it was encrypted with, or the stored data was altered or moved',
        );
        // Altered: sealed for this very row, but under other bytes claiming the same key id.
        const forged = new DataCipher(parseKeyRing(`k1:${KEY_B}`)).seal(
          JSON.stringify({ nationalId: '000-00-0000' }),
          `session_data.input/${second}`,
        );
        await db.query('update session_data set input = ? where session_id = ?', [forged, second]);
        const altered = await store.getSessionData(second).catch((e: unknown) => e as Error);
        expect(altered).toBeInstanceOf(DecryptionError);
        expect((altered as Error).message).toMatch(
          new RegExp(`^session_data.input/${second} does not decrypt with key "k1"`),
        );
      } finally {
        await store.close();
      }
      const service = await startWith(RING_BOTH);
      try {
        const res = await fetch(`${service.url}/api/sessions/${first}?include=input`, {
          headers: { authorization: `Bearer ${service.apiKey}` },
          signal: AbortSignal.timeout(8_000),
        });
        expect(res.status).toBe(500);
        const body = await res.text();
        expect(JSON.parse(body)).toEqual({ error: 'internal_error' });
        expect(body).not.toContain(PERSON.nationalId);
      } finally {
        await service.close();
      }
    } finally {
      await db.close();
    }
  });
});

describe('one record that does not open does not stop the others', () => {
  let s: TestService;
  let sUrl: string;
  beforeAll(async () => {
    s = await startTestService({ dataEncryptionKeys: RING_A });
    sUrl = await serviceDatabaseUrl(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a waiting session whose sealed customer user id no longer opens: another session’s timeout still fires', async () => {
    // Control: a due wait times out by the sweep within the bound when every record opens.
    const control = await createSession(s, { flow: 'docv-qr', customerUserId: 'control-1' });
    await waitToken(s, control.id);
    await rawQuery(sUrl, 'update sessions set wake_at = ? where id = ?', [Date.now() - 1000, control.id]);
    expect(await waitForCompletion(s, control.id, 5_000)).toMatchObject({
      outcome: 'expired',
      nodeId: 'timedOut',
    });

    const poisoned = await createSession(s, { flow: 'docv-qr', customerUserId: 'poisoned-1' });
    const healthy = await createSession(s, { flow: 'docv-qr', customerUserId: 'healthy-1' });
    for (const x of [poisoned, healthy]) await waitToken(s, x.id);
    // The first one's customer user id sealed under a key the ring does not hold (a key dropped before `keys
    // rotate` finished, a row from another database); then both waits are made due.
    const foreign = new DataCipher(parseKeyRing(`k9:${KEY_B}`)).seal(
      'poisoned-1',
      `sessions.customer_user_id/${poisoned.id}`,
    );
    const db = await rawSql(sUrl);
    try {
      await db.query('update sessions set customer_user_id = ? where id = ?', [foreign, poisoned.id]);
      await db.query('update sessions set wake_at = ? where id in (?, ?)', [
        Date.now() - 1000,
        poisoned.id,
        healthy.id,
      ]);
    } finally {
      await db.close();
    }
    // The row reads (engine state is not sealed); its sealed field does not open, where it is used.
    const row = await s.service.store.getSession(poisoned.id);
    expect(row?.status).toBe('waiting');
    let poisonedError: unknown;
    try {
      void row?.customerUserId;
    } catch (err) {
      poisonedError = err;
    }
    expect(poisonedError).toBeInstanceOf(DecryptionError);
    expect((poisonedError as Error).message).toMatch(/key "k9", which DATA_ENCRYPTION_KEYS does not hold/);
    // The healthy session's 30-minute wait is due: the service's sweep (every 100 ms here) times it out.
    const done = await waitForCompletion(s, healthy.id, 5_000);
    expect(done).toMatchObject({ status: 'completed', outcome: 'expired', nodeId: 'timedOut' });
  }, 60_000);
});
