/**
 * Issue 9, erasure on request: `DELETE /api/customers/{customerUserId}` removes every personal field held for
 * one person — sessions (finished, waiting for the phone, waiting at a form), inbox deliveries, app callbacks —
 * in one transaction and says how many; another person's data is untouched; the erased person's unfinished
 * sessions end as failed and never resume; the audit trail keeps that an erasure happened by keyed hash only.
 * Then, with the key, nothing decrypted holds the person; without it, the raw database holds none of it.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataCipher } from '../../src/crypto/envelope.js';
import { resolveKeyRing } from '../../src/crypto/key-source.js';
import { parseDatabaseUrl } from '../../src/store/index.js';
import { TEST_DATABASE, testKeysFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import {
  createSession,
  submitScreen,
  type TestService,
  triggerSandbox,
  waitForCompletion,
} from './helpers.js';
import {
  type AppReceiver,
  callbackSessionIds,
  callbacksDelivered,
  DOCV_EVENTS,
  describeReport,
  docvSession,
  OTHER_PERSON,
  PERSON,
  type Person,
  type RawSource,
  rawDatabase,
  rawSql,
  type SearchedValue,
  scan,
  scoreSession,
  startServiceWithApp,
  valuesOf,
} from './personal-data-support.js';

const suffix = Math.random().toString(36).slice(2, 8);
const X = `erase-me-${suffix}`;
const Y = `keep-me-${suffix}`;

interface Customer {
  id: string;
  person: Person;
  finished: string[];
  /** A docv-qr session waiting for the phone, and its DocV token. */
  waiting: { id: string; token: string };
  /** An idplus-score session waiting at its form. */
  atForm: { id: string; path: string };
  all: string[];
}

type SessionAnswer = {
  status: string;
  outcome: string | null;
  customerUserId: string | null;
  input?: Record<string, unknown>;
  result: Record<string, unknown> | null;
  timeline: Array<{ type: string }>;
};

let t: TestService;
let app: AppReceiver;
let url: string;
let closed = false;
const customers: Record<'x' | 'y', Customer> = {} as never;

/** The date of birth in another format: the input does not pass the form's checks, so the form waits. */
function atFormInput(person: Person): Record<string, string> {
  const [year, month, day] = person.dob.split('-');
  return { ...person, dob: `${month}/${day}/${year}` };
}

/** A customer with two finished sessions (ID+ score, DocV), one waiting for the phone, one at its form. */
async function customer(id: string, person: Person): Promise<Customer> {
  const score = await scoreSession(t, id, person);
  const docv = await docvSession(t, id, { person, scenario: 'complete-accept' });
  const waiting = await docvSession(t, id, { person });
  const atForm = await createSession(t, {
    flow: 'idplus-score',
    customerUserId: id,
    input: atFormInput(person),
  });
  expect((await t.service.store.getSession(atForm.id))!.status).toBe('input');
  for (const s of [score.id, docv.id]) await waitForCompletion(t, s);
  return {
    id,
    person,
    finished: [score.id, docv.id],
    waiting,
    atForm: { id: atForm.id, path: atForm.path },
    all: [score.id, docv.id, waiting.id, atForm.id],
  };
}

const sessionAnswer = async (id: string) =>
  (await t.api(`/api/sessions/${id}?include=input`)).json<SessionAnswer>();

/** How many inbox rows and callbacks hold something of the customer (by raw SQL, apart from the store). */
async function heldFor(c: Customer): Promise<{ deliveries: number; callbacks: number }> {
  const db = await rawSql(url);
  try {
    const marks = c.all.map(() => '?').join(', ');
    const [d] = await db.query<{ n: number | string }>(
      `select count(*) as n from webhook_inbox where customer_user_id = ? or consumed_by in (${marks})`,
      [t.service.store.lookupHash(c.id), ...c.all],
    );
    const [o] = await db.query<{ n: number | string }>(
      `select count(*) as n from outbound_webhooks where session_id in (${marks}) and body <> ''`,
      c.all,
    );
    return { deliveries: Number(d!.n), callbacks: Number(o!.n) };
  } finally {
    await db.close();
  }
}

/** Everything the store holds, decrypted with the key: sessions, their data, deliveries, callbacks. */
async function everythingDecrypted(): Promise<string> {
  const store = t.service.store;
  const db = await rawSql(url);
  try {
    const sessions = await db.query<{ id: string }>('select id from sessions');
    const tokens = await db.query<{ token: string }>(
      'select distinct docv_transaction_token as token from webhook_inbox where docv_transaction_token is not null',
    );
    const parts: unknown[] = [];
    for (const { id } of sessions) {
      parts.push(await store.getSession(id), await store.getSessionData(id), await store.listOutbound(id));
      parts.push(await store.listTimeline(id));
    }
    for (const { token } of tokens)
      parts.push(await store.findDeliveries({ docvTransactionToken: token }, DOCV_EVENTS));
    expect(sessions.length).toBeGreaterThanOrEqual(8);
    return JSON.stringify(parts);
  } finally {
    await db.close();
  }
}

const valuesOfCustomer = (c: Customer): SearchedValue[] => [
  ...valuesOf(c.person),
  { label: 'customerUserId', kind: 'id', value: c.id },
];

beforeAll(async () => {
  ({ t, app, url } = await startServiceWithApp());
  customers.x = await customer(X, PERSON);
  customers.y = await customer(Y, OTHER_PERSON);
  // Nothing in flight: both callbacks of each customer delivered, the DocV deliveries all in the inbox.
  const finished = [...customers.x.finished, ...customers.y.finished];
  await eventually(
    async () =>
      (await callbacksDelivered(t, finished)) && finished.every((id) => callbackSessionIds(app).includes(id)),
    'every finished session’s callback delivered',
    { timeoutMs: 15_000 },
  );
  for (const c of [customers.x, customers.y]) {
    const docv = (await t.service.store.getSessionData(c.finished[1]!))!.result as {
      docvTransactionToken: string;
    };
    await eventually(
      async () =>
        (
          await t.service.store.findDeliveries(
            { docvTransactionToken: docv.docvTransactionToken },
            DOCV_EVENTS,
          )
        ).length === DOCV_EVENTS.length,
      'all 8 deliveries of the finished DocV capture',
      { timeoutMs: 15_000 },
    );
    await eventually(
      async () =>
        (await t.service.store.findDeliveries({ docvTransactionToken: c.waiting.token }, DOCV_EVENTS))
          .length === 1,
      'WAITING_FOR_USER_TO_REDIRECT of the waiting session',
    );
  }
}, 90_000);

afterAll(async () => {
  if (!closed) await t?.service.close().catch(() => {});
  if (t) rmSync(t.dir, { recursive: true, force: true });
  await app?.close();
});

describe('DELETE /api/customers/{customerUserId}', () => {
  let before: { deliveries: number; callbacks: number };
  /** The erased person's sealed session data as stored before the erasure. */
  const sealedBefore: Array<{ context: string; value: string }> = [];
  let rawAfter: RawSource[] = [];
  let xVersions: Map<string, number>;

  it('401 without the API key, 400 for an id of 101 characters: nothing is erased', async () => {
    const unauthorized = await t.http(`/api/customers/${X}`, { method: 'DELETE' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.json()).toMatchObject({ error: 'unauthorized' });
    const wrongKey = await t.http(`/api/customers/${X}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer sck_not-the-key-at-all-0000' },
    });
    expect(wrongKey.status).toBe(401);
    const longest = await t.api(`/api/customers/${'x'.repeat(100)}`, { method: 'DELETE' });
    expect(longest.status).toBe(200);
    expect(longest.json()).toEqual({ erased: { sessions: 0, deliveries: 0, callbacks: 0 } });
    expect((await sessionAnswer(customers.x.finished[0]!)).customerUserId).toBe(X);
    const long = await t.api(`/api/customers/${'x'.repeat(101)}`, { method: 'DELETE' });
    expect({ status: long.status, body: long.text }).toEqual({
      status: 400,
      body: JSON.stringify({
        error: 'invalid_request',
        message: 'customerUserId: must be 1 to 100 characters',
      }),
    });
  });

  it('an id of 100 characters that needs percent-encoding in the path (e-mail-like) can be erased', async () => {
    const id = `${'e'.repeat(88)}@example.org`;
    expect(id).toHaveLength(100);
    const { id: session } = await createSession(t, { flow: 'idplus-score', customerUserId: id });
    const res = await t.api(`/api/customers/${encodeURIComponent(id)}`, { method: 'DELETE' });
    expect({ status: res.status, body: res.text }).toEqual({
      status: 200,
      body: JSON.stringify({ erased: { sessions: 1, deliveries: 0, callbacks: 0 } }),
    });
    expect((await t.service.store.getSession(session))!.customerUserId).toBeNull();
  });

  it('erases the customer’s sessions, deliveries and callbacks and answers the counts', async () => {
    before = await heldFor(customers.x);
    const db = await rawSql(url);
    try {
      for (const id of customers.x.all) {
        const [row] = await db.query<Record<'input' | 'outputs' | 'result', string | null>>(
          'select input, outputs, result from session_data where session_id = ?',
          [id],
        );
        for (const column of ['input', 'outputs', 'result'] as const) {
          const value = row![column];
          if (value) sealedBefore.push({ context: `session_data.${column}/${id}`, value });
        }
      }
    } finally {
      await db.close();
    }
    // Consumed (finished capture) and unconsumed (the waiting one's) deliveries; both finished sessions' callbacks.
    expect(before.deliveries).toBe(DOCV_EVENTS.length + 1);
    expect(before.callbacks).toBe(2);
    const res = await t.api(`/api/customers/${encodeURIComponent(X)}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ erased: { sessions: 4, deliveries: before.deliveries, callbacks: 2 } });
    expect(await heldFor(customers.x)).toEqual({ deliveries: 0, callbacks: 0 });
    xVersions = new Map();
    for (const id of customers.x.all) xVersions.set(id, (await t.service.store.getSession(id))!.version);
  });

  it('GET /api/sessions/{id}, even with ?include=input, shows none of the person: the non-personal record only', async () => {
    const [score, docv] = customers.x.finished as [string, string];
    for (const id of customers.x.all) {
      const body = await sessionAnswer(id);
      expect(body.customerUserId, id).toBeNull();
      expect(body.input, id).toEqual({});
      expect(body.status).toBe('completed');
      const text = JSON.stringify(body);
      const r = scan(valuesOfCustomer(customers.x), [{ name: id, bytes: Buffer.from(text) }]);
      expect(
        r.hits.map((h) => `${h.label}: ${h.context}`),
        id,
      ).toEqual([]);
      const data = (await t.service.store.getSessionData(id))!;
      expect(data.outputs).toEqual({});
      expect(data.input).toEqual({});
    }
    // Finished sessions keep their outcome and Socure's verdict (reference ids, reason codes, decision).
    const scored = await sessionAnswer(score);
    expect(scored.outcome).not.toBeNull();
    expect(scored.result).toEqual({
      referenceIds: [expect.stringMatching(/^[0-9a-f-]{36}$/)],
      reasonCodes: expect.arrayContaining([expect.stringMatching(/^[IR]\d{3}$/)]),
      decision: expect.any(String),
      personalDataRemoved: 'erasure',
    });
    const docvAnswer = await sessionAnswer(docv);
    expect(docvAnswer.outcome).toBe('verified');
    expect(docvAnswer.result).toMatchObject({ decision: 'accept', personalDataRemoved: 'erasure' });
    expect(docvAnswer.result).not.toHaveProperty('documentData');
    // Its app callbacks keep their delivery record, not their body.
    for (const id of customers.x.finished) {
      const [callback] = await t.service.store.listOutbound(id);
      expect(callback).toMatchObject({ status: 'delivered', body: '' });
    }
  });

  it('the other customer’s data is intact, and their waiting session still completes', async () => {
    const y = customers.y;
    for (const id of y.all) {
      const body = await sessionAnswer(id);
      expect(body.customerUserId).toBe(Y);
      expect(body.input).toEqual(id === y.atForm.id ? atFormInput(OTHER_PERSON) : { ...OTHER_PERSON });
    }
    const docv = await sessionAnswer(y.finished[1]!);
    expect(docv.result).toMatchObject({
      decision: 'accept',
      documentData: { documentNumber: expect.any(String) },
    });
    const score = (await t.service.store.getSessionData(y.finished[0]!))!;
    expect(score.outputs.form).toMatchObject({ nationalId: OTHER_PERSON.nationalId });
    for (const id of y.finished) {
      const [callback] = await t.service.store.listOutbound(id);
      expect(JSON.parse(callback!.body)).toMatchObject({ data: { id, customerUserId: Y } });
    }
    expect((await heldFor(y)).deliveries).toBe(DOCV_EVENTS.length + 1);
    await triggerSandbox(t, y.waiting.token, 'complete-accept');
    expect((await waitForCompletion(t, y.waiting.id)).outcome).toBe('verified');
    expect((await t.service.store.getSession(y.atForm.id))!.status).toBe('input');
  }, 60_000);

  it('the erased person’s unfinished sessions ended as failed and never resume', async () => {
    const x = customers.x;
    for (const id of [x.waiting.id, x.atForm.id]) {
      const s = (await t.service.store.getSession(id))!;
      expect(s).toMatchObject({ status: 'completed', outcome: 'failed', waitToken: null, wakeAt: null });
    }
    // The phone finishes the capture after all: Socure's deliveries come and are committed…
    await triggerSandbox(t, x.waiting.token, 'complete-accept');
    await eventually(
      async () =>
        (await t.service.store.findDeliveries({ docvTransactionToken: x.waiting.token }, DOCV_EVENTS))
          .length ===
        DOCV_EVENTS.length - 1,
      'the later deliveries of the erased person’s capture in the inbox',
      { timeoutMs: 15_000 },
    );
    await t.service.engine.tick();
    // …and resume nothing: the session did not move (same version), no step ran.
    const s = (await t.service.store.getSession(x.waiting.id))!;
    expect(s).toMatchObject({ status: 'completed', outcome: 'failed', version: xVersions.get(x.waiting.id) });
    expect((await t.service.store.listTimeline(x.waiting.id)).map((e) => e.type)).not.toContain('resumed');
    expect((await t.service.store.getSessionData(x.waiting.id))!.outputs).toEqual({});
    // The person at the form submits it after all: refused, nothing runs.
    const page = await t.http(x.atForm.path);
    expect(page.text).not.toContain('name="nationalId"');
    await submitScreen(t, x.atForm.path, PERSON).catch(() => undefined);
    const atForm = (await t.service.store.getSession(x.atForm.id))!;
    expect(atForm).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      version: xVersions.get(x.atForm.id),
    });
    expect((await t.service.store.getSessionData(x.atForm.id))!.outputs).toEqual({});
    // Deliveries that came after the erasure still name the person (sealed): a second erasure removes them.
    const later = await heldFor(x);
    expect(later.deliveries).toBe(DOCV_EVENTS.length - 1);
    const again = await t.api(`/api/customers/${X}`, { method: 'DELETE' });
    expect(again.json()).toEqual({ erased: { sessions: 0, deliveries: later.deliveries, callbacks: 0 } });
    expect(await heldFor(x)).toEqual({ deliveries: 0, callbacks: 0 });
  }, 60_000);

  it('the audit trail has customer.erased with the keyed hash of the id, never the id', async () => {
    const res = await t.api('/api/audit?limit=1000');
    expect(res.status).toBe(200);
    const { entries } = res.json<{
      entries: Array<{ type: string; actor: string; detail: Record<string, unknown> }>;
    }>();
    const erased = entries.filter((e) => e.type === 'customer.erased');
    const hash = t.service.store.lookupHash(X);
    expect(hash).toMatch(/^h1\.[\w-]{43}$/);
    expect(erased.filter((e) => e.detail.customer === hash).map((e) => e.detail)).toEqual([
      { customer: hash, sessions: 4, deliveries: before.deliveries, callbacks: 2 },
      { customer: hash, sessions: 0, deliveries: DOCV_EVENTS.length - 1, callbacks: 0 },
    ]);
    for (const e of erased) expect(e.actor).toMatch(/^api-key:[0-9a-f]{8}$/);
    // No 401 or 400 attempt was recorded as an erasure; the 100-character ones were (asked for, answered 200).
    expect(erased.map((e) => e.detail.customer)).toEqual([
      t.service.store.lookupHash('x'.repeat(100)),
      t.service.store.lookupHash(`${'e'.repeat(88)}@example.org`),
      hash,
      hash,
    ]);
    expect(res.text).not.toContain(X);
    expect(res.text).not.toContain(t.service.apiKey);
    const r = scan(valuesOfCustomer(customers.x), [{ name: 'GET /api/audit', bytes: Buffer.from(res.text) }]);
    expect(r.hits).toEqual([]);
  });

  it('with the key, nothing the store holds decrypts to the person; the other person is found the same way', async () => {
    const text = await everythingDecrypted();
    const x = scan(valuesOfCustomer(customers.x), [{ name: 'decrypted store', bytes: Buffer.from(text) }]);
    console.log(describeReport(`[${TEST_DATABASE}] erased person, decrypted store`, x));
    expect(x.hits.map((h) => `${h.label} "${h.form}": …${h.context}…`)).toEqual([]);
    const y = scan(valuesOfCustomer(customers.y), [{ name: 'decrypted store', bytes: Buffer.from(text) }]);
    // Every value of the other person is found (city, state and ZIP are stored apart, not as one line).
    const expected = valuesOfCustomer(customers.y)
      .map((v) => v.label)
      .filter((l) => l !== 'cityStateZip');
    expect(new Set(y.hits.map((h) => h.label))).toEqual(new Set(expected));
  });

  it('without it, the raw database holds neither the erased person’s data nor their customerUserId', async () => {
    await t.service.close();
    closed = true;
    const raw = await rawDatabase(url);
    rawAfter = raw.sources;
    const r = scan(valuesOfCustomer(customers.x), raw.sources);
    console.log(
      `[${TEST_DATABASE}] ${raw.method}\n${describeReport(`[${TEST_DATABASE}] erased person, raw database`, r)}`,
    );
    expect(r.hits.map((h) => `${h.label} "${h.form}" in ${h.source}`)).toEqual([]);
    expect(r.bytes).toBeGreaterThan(10_000);
  }, 60_000);

  it('what erasure does not reach (measured, not asserted): the old sealed values left in the raw files', async () => {
    // The rows were overwritten, but the bytes of their previous versions may remain on disk — SQLite's freed pages
    // and free space in pages (no secure_delete), PostgreSQL's dead tuples until VACUUM — and they open with the key.
    expect(sealedBefore.length).toBeGreaterThan(0);
    const found = sealedBefore.filter((s) =>
      rawAfter.some((source) => source.bytes.includes(Buffer.from(s.value))),
    );
    const ring = resolveKeyRing(parseDatabaseUrl(url), testKeysFor(url)).ring;
    const cipher = new DataCipher(ring);
    const opened = found.map((s) => cipher.open(s.value, s.context));
    console.log(
      `[${TEST_DATABASE}] after the erasure, ${found.length} of ${sealedBefore.length} sealed values the erased ` +
        `person had (session_data input/outputs/result) are still in the raw database files; ` +
        `${opened.filter((o) => o.includes(PERSON.nationalId) || o.includes(PERSON.surName)).length} of them ` +
        'open with the key ring to the person’s data',
    );
    for (const text of opened) expect(typeof text).toBe('string');
  });
});
