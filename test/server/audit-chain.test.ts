/**
 * Issue 9, the audit trail: after flows run through the HTTP service, `GET /api/audit` shows every decision and
 * who acted — session.started (the API key's id or the public page), each Socure call (endpoint, status,
 * referenceId, never a person's data), session.decided, callback.delivered — as a hash chain that verifies.
 * Then the database is tampered with directly (an entry edited, edited with its hash recomputed, deleted, made
 * unreadable): the chain names the exact entry. Paging (since=<seq>, since=<ISO time>, limit) and bad queries.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, ChainVerifier, describeBreak } from '../../src/store/audit-chain.js';
import { openStore } from '../../src/store/index.js';
import type { AuditRecord, Store } from '../../src/store/types.js';
import { testKeysFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { hiddenValue, sessionPathOf, submitScreen, type TestService, waitForCompletion } from './helpers.js';
import {
  type AppReceiver,
  callbackSessionIds,
  docvSession,
  PERSON,
  rawQuery,
  type SearchedValue,
  scan,
  scoreSession,
  startServiceWithApp,
  valuesOf,
} from './personal-data-support.js';

interface Entry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
interface Page {
  entries: Entry[];
  next: number | null;
}

const suffix = Math.random().toString(36).slice(2, 8);
const CUSTOMER = { score: `audit-score-${suffix}`, docv: `audit-docv-${suffix}` };

let t: TestService;
let app: AppReceiver;
let url: string;
/** The actor the sessions API key is recorded as: `api-key:` and the first 8 hex of its SHA-256. */
let keyActor: string;
const sessions: Record<'api' | 'page' | 'docv', string> = { api: '', page: '', docv: '' };

const audit = async (query = '') => {
  const res = await t.api(`/api/audit${query}`);
  return { status: res.status, body: res.json<Page>(), text: res.text };
};
/** Every entry, by pages of 1000. */
async function allEntries(): Promise<Entry[]> {
  const out: Entry[] = [];
  let since = '';
  for (;;) {
    const { status, body } = await audit(`?limit=1000${since}`);
    expect(status).toBe(200);
    out.push(...body.entries);
    if (body.next === null) return out;
    since = `&since=${body.next}`;
  }
}
/** An API entry as the record the verifier checks: what a SIEM reading GET /api/audit can verify on its own. */
const asRecord = (e: Entry): AuditRecord => ({
  ...e,
  at: Date.parse(e.at),
  detailText: JSON.stringify(e.detail),
});
function verify(records: AuditRecord[]) {
  const verifier = new ChainVerifier();
  const broken = verifier.check(records);
  return { broken, checked: verifier.checked };
}
async function storeRecords(store: Store = t.service.store): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (;;) {
    const page = await store.listAudit({ afterSeq: out.at(-1)?.seq, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
  }
}
const sql = (text: string, params?: unknown[]) => rawQuery(url, text, params);

beforeAll(async () => {
  ({ t, app, url } = await startServiceWithApp());
  keyActor = `api-key:${createHash('sha256').update(t.service.apiKey).digest('hex').slice(0, 8)}`;
  // An ID+ score started by the app, one started on the public page, a DocV capture started by the app.
  sessions.api = (await scoreSession(t, CUSTOMER.score)).id;
  const index = await t.http('/flows/idplus-score');
  const started = await t.http('/flows/idplus-score/start', {
    form: { csrf: hiddenValue(index.text, 'csrf')! },
  });
  const pagePath = sessionPathOf(String(started.headers.location));
  expect((await submitScreen(t, pagePath, PERSON)).status).toBe(303);
  sessions.page = pagePath.split('/')[2]!;
  sessions.docv = (await docvSession(t, CUSTOMER.docv, { scenario: 'complete-accept' })).id;
  for (const id of Object.values(sessions)) await waitForCompletion(t, id);
  await eventually(
    () => Object.values(sessions).every((id) => callbackSessionIds(app).includes(id)),
    'the three session.completed callbacks',
  );
  await eventually(
    async () => (await allEntries()).filter((e) => e.type === 'callback.delivered').length === 3,
    'three callback.delivered entries',
  );
}, 90_000);

afterAll(async () => {
  await t?.close();
  await app?.close();
});

describe('GET /api/audit after the flows ran', () => {
  let entries: Entry[];
  beforeAll(async () => {
    entries = await allEntries();
  });
  const ofSession = (id: string, type: string) =>
    entries.filter((e) => e.type === type && e.detail.sessionId === id);

  it('session.started names the flow and who started it: the API key’s id, or the public page', () => {
    const started = entries.filter((e) => e.type === 'session.started');
    expect(started.map((e) => ({ actor: e.actor, flow: e.detail.flow }))).toEqual([
      { actor: keyActor, flow: 'idplus-score' },
      { actor: 'public-page', flow: 'idplus-score' },
      { actor: keyActor, flow: 'docv-qr' },
    ]);
  });

  it('each Socure call: endpoint, status, referenceId — the reference ids of the sessions’ results', async () => {
    for (const [key, endpoints] of [
      ['api', ['/api/3.0/EmailAuthScore']],
      ['page', ['/api/3.0/EmailAuthScore']],
      ['docv', ['/api/5.0/documents/request', '/api/3.0/EmailAuthScore']],
    ] as const) {
      const id = sessions[key];
      const calls = ofSession(id, 'socure.call');
      expect(
        calls.map((c) => c.detail.endpoint),
        key,
      ).toEqual(endpoints);
      for (const c of calls) {
        expect(Object.keys(c.detail).sort()).toEqual([
          'attempts',
          'durationMs',
          'endpoint',
          'method',
          'referenceId',
          'sessionId',
          'status',
        ]);
        expect(c).toMatchObject({ actor: 'engine', detail: { method: 'POST', status: 200, attempts: 1 } });
        expect(c.detail.referenceId).toMatch(/^[0-9a-f-]{36}$/);
      }
      const result = (await t.service.store.getSessionData(id))!.result as { referenceId?: string };
      expect(calls.map((c) => c.detail.referenceId)).toContain(result.referenceId);
    }
  });

  it('session.decided: outcome, decision and reason codes of each session', async () => {
    for (const id of Object.values(sessions)) {
      const [decided, ...more] = ofSession(id, 'session.decided');
      expect(more).toEqual([]);
      const session = (await t.service.store.getSession(id))!;
      const result = (await t.service.store.getSessionData(id))!.result as {
        decision: string;
        referenceId: string;
      };
      expect(decided!.detail).toEqual({
        sessionId: id,
        flow: session.flowId,
        outcome: session.outcome,
        decision: result.decision,
        referenceIds: expect.arrayContaining([result.referenceId]),
        reasonCodes: expect.arrayContaining([expect.stringMatching(/^[IR]\d{3}$/)]),
      });
    }
  });

  it('callback.delivered for each session’s callback', async () => {
    const delivered = entries.filter((e) => e.type === 'callback.delivered');
    const callbackIds: string[] = [];
    for (const id of Object.values(sessions))
      callbackIds.push(...(await t.service.store.listOutbound(id)).map((o) => o.id));
    expect(delivered.map((e) => e.detail.callbackId).sort()).toEqual(callbackIds.sort());
    for (const e of delivered)
      expect(e).toMatchObject({ actor: 'engine', detail: { httpStatus: 204, attempts: 1 } });
  });

  it('no personal data: none of the person’s values, customer user ids or the API key in any entry', async () => {
    const text = JSON.stringify(entries);
    const values: SearchedValue[] = [
      ...valuesOf(PERSON),
      { label: 'customerUserId score', kind: 'id', value: CUSTOMER.score },
      { label: 'customerUserId docv', kind: 'id', value: CUSTOMER.docv },
      {
        label: 'page customerUserId',
        kind: 'id',
        value: (await t.service.store.getSession(sessions.page))!.customerUserId!,
      },
    ];
    const r = scan(values, [{ name: 'GET /api/audit', bytes: Buffer.from(text) }]);
    expect(r.hits.map((h) => `${h.label}: …${h.context}…`)).toEqual([]);
    expect(text).not.toContain(t.service.apiKey);
    const documentData = (
      (await t.service.store.getSessionData(sessions.docv))!.result as {
        documentData: Record<string, string>;
      }
    ).documentData;
    expect(text).not.toContain(documentData.documentNumber);
  });

  it('the chain verifies, from the store and from what the API answers alone', async () => {
    const api = verify(entries.map(asRecord));
    expect(api).toEqual({ broken: undefined, checked: entries.length });
    const fromStore = await storeRecords();
    expect(verify(fromStore)).toEqual({ broken: undefined, checked: entries.length });
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
  });
});

describe('paging and bad queries', () => {
  let all: Entry[];
  beforeAll(async () => {
    all = await allEntries();
    expect(all.length).toBeGreaterThanOrEqual(12);
  });

  it('limit pages through everything: next is the since of the following page, null at the end', async () => {
    const seen: Entry[] = [];
    let since = '';
    for (let guard = 0; guard < 100; guard++) {
      const { body } = await audit(`?limit=5${since}`);
      expect(body.entries.length).toBeLessThanOrEqual(5);
      seen.push(...body.entries);
      if (body.next === null) break;
      expect(body.next).toBe(body.entries.at(-1)!.seq);
      since = `&since=${body.next}`;
    }
    expect(seen).toEqual(all);
    // A page that ends exactly at the end says so on the next (empty) page.
    const exact = await audit(`?limit=${all.length}`);
    expect(exact.body.next).toBe(all.length);
    expect(await audit(`?since=${all.length}`)).toMatchObject({
      status: 200,
      body: { entries: [], next: null },
    });
  });

  it('since=<seq>: the entries after it; default limit 100; limit 1 and 1000 are the bounds', async () => {
    const after = await audit('?since=3&limit=4');
    expect(after.body.entries.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect((await audit('')).body.entries).toEqual(all.slice(0, 100));
    expect((await audit('?limit=1')).body.entries).toEqual(all.slice(0, 1));
    expect((await audit('?limit=1000')).status).toBe(200);
    expect((await audit('?since=0')).body.entries[0]!.seq).toBe(1);
  });

  it('since=<ISO time>: the entries at or after that time', async () => {
    const pivot = all[Math.floor(all.length / 2)]!;
    const res = await audit(`?since=${encodeURIComponent(pivot.at)}&limit=1000`);
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual(all.filter((e) => Date.parse(e.at) >= Date.parse(pivot.at)));
    expect(res.body.entries).toContainEqual(pivot);
    const offset = new Date(Date.parse(pivot.at)).toISOString().replace('Z', '+00:00');
    expect((await audit(`?since=${encodeURIComponent(offset)}&limit=1000`)).body.entries).toEqual(
      res.body.entries,
    );
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await audit(`?since=${future}`)).body).toEqual({ entries: [], next: null });
  });

  it('400 for a limit out of bounds or not an integer, a since that is neither a seq nor an ISO time, other parameters', async () => {
    const answers: Array<{ query: string; status: number; error?: string }> = [];
    for (const query of [
      '?limit=0',
      '?limit=1001',
      '?limit=-1',
      '?limit=1.5',
      '?limit=ten',
      '?since=yesterday',
      '?since=12abc',
      '?since=-5',
      '?since=March%207',
      '?since=2025-13-45T99:00:00Z',
      '?from=1',
    ]) {
      const res = await audit(query);
      answers.push({ query, status: res.status, error: (res.body as unknown as { error?: string }).error });
    }
    expect(answers.filter((a) => a.status !== 400 || a.error !== 'invalid_request')).toEqual([]);
    expect((await audit('?since=yesterday')).body).toEqual({
      error: 'invalid_request',
      message: 'since: must be an entry number (seq) or an ISO 8601 time',
    });
    expect((await t.http('/api/audit')).status).toBe(401);
  });

  it('a seq beyond any entry (even beyond 64 bits) answers an empty page or a 400, never a 500', async () => {
    for (const since of ['9007199254740993', '99999999999999999999']) {
      const res = await audit(`?since=${since}`);
      expect([200, 400], `${since}: ${res.status} ${res.text}`).toContain(res.status);
      if (res.status === 200) expect(res.body).toEqual({ entries: [], next: null });
    }
  });

  it('two instances appending and chaining at once keep one unbroken chain', async () => {
    const other = await openStore(url, { dataEncryptionKeys: testKeysFor(url) });
    try {
      const before = (await storeRecords()).length;
      const n = 40;
      await Promise.all(
        [t.service.store, other].map(async (store, k) => {
          for (let i = 0; i < n; i++) {
            await store.appendAudit(
              [{ type: 'test.concurrent', actor: `instance-${k}`, detail: { i } }],
              Date.now(),
            );
            if (i % 3 === 0) await store.chainAudit(1000);
          }
          while ((await store.chainAudit(1000)) > 0);
        }),
      );
      const records = await storeRecords(other);
      expect(records).toHaveLength(before + 2 * n);
      expect(verify(records)).toEqual({ broken: undefined, checked: before + 2 * n });
    } finally {
      await other.close();
    }
  });
});

describe('tampering with the database directly: the chain names the entry', () => {
  let records: AuditRecord[];
  beforeAll(async () => {
    records = await storeRecords();
    expect(verify(records).broken).toBeUndefined();
  });
  const call = () => records.find((r) => r.type === 'socure.call' && r.seq > 3)!;
  const fromApi = async () => verify((await allEntries()).map(asRecord)).broken;

  it('an edited detail (a failed call made to look successful): "entry N was edited"', async () => {
    const target = call();
    const edited = JSON.stringify({ ...target.detail, status: 503 });
    await sql('update audit_log set detail = ? where seq = ?', [edited, target.seq]);
    const broken = verify(await storeRecords()).broken;
    expect(broken).toEqual({ seq: target.seq, problem: 'hash' });
    expect(describeBreak(broken!)).toBe(
      `entry ${target.seq} was edited: its hash does not match its content`,
    );
    expect(await fromApi()).toEqual({ seq: target.seq, problem: 'hash' });
    await sql('update audit_log set detail = ? where seq = ?', [target.detailText, target.seq]);
    expect(verify(await storeRecords()).broken).toBeUndefined();
  });

  it('an edited entry whose own hash was recomputed: the next entry no longer follows it', async () => {
    const target = call();
    const edited = JSON.stringify({ ...target.detail, status: 503 });
    const hash = auditHash(target.prevHash, { ...target, detailText: edited });
    await sql('update audit_log set detail = ?, hash = ? where seq = ?', [edited, hash, target.seq]);
    const broken = verify(await storeRecords()).broken;
    expect(broken).toEqual({ seq: target.seq + 1, problem: 'prev-hash' });
    expect(describeBreak(broken!)).toMatch(
      new RegExp(`^entry ${target.seq + 1} does not follow entry ${target.seq}`),
    );
    await sql('update audit_log set detail = ?, hash = ? where seq = ?', [
      target.detailText,
      target.hash,
      target.seq,
    ]);
    expect(verify(await storeRecords()).broken).toBeUndefined();
  });

  it('an actor or a time changed: "entry N was edited"', async () => {
    const target = records.find((r) => r.type === 'session.started')!;
    await sql('update audit_log set actor = ? where seq = ?', ['public-page', target.seq]);
    expect(verify(await storeRecords()).broken).toEqual({ seq: target.seq, problem: 'hash' });
    await sql('update audit_log set actor = ?, at = ? where seq = ?', [
      target.actor,
      target.at + 1,
      target.seq,
    ]);
    expect(verify(await storeRecords()).broken).toEqual({ seq: target.seq, problem: 'hash' });
    await sql('update audit_log set at = ? where seq = ?', [target.at, target.seq]);
    expect(verify(await storeRecords()).broken).toBeUndefined();
  });

  it('a detail no longer JSON at all: the trail still reads, and the chain names that entry', async () => {
    const target = call();
    await sql('update audit_log set detail = ? where seq = ?', ['{"status": 200, truncated', target.seq]);
    try {
      const read = await storeRecords().then(
        (r) => ({ ok: true as const, broken: verify(r).broken }),
        (err: Error) => ({ ok: false as const, error: err.message }),
      );
      expect(read).toEqual({ ok: true, broken: { seq: target.seq, problem: 'hash' } });
      expect((await audit('?limit=1000')).status).toBe(200);
    } finally {
      await sql('update audit_log set detail = ? where seq = ?', [target.detailText, target.seq]);
    }
  });

  it('a deleted entry: "entry N is missing", whichever page it was on', async () => {
    const target = call();
    await sql('delete from audit_log where seq = ?', [target.seq]);
    const broken = verify(await storeRecords()).broken;
    expect(broken).toEqual({ seq: target.seq + 1, problem: 'gap', expectedSeq: target.seq });
    expect(describeBreak(broken!)).toBe(
      `entry ${target.seq} is missing (the next entry is ${target.seq + 1}): an entry was deleted`,
    );
    expect(await fromApi()).toEqual({ seq: target.seq + 1, problem: 'gap', expectedSeq: target.seq });
    // Walking page by page (as `audit verify` does) finds it at the same place.
    const verifier = new ChainVerifier();
    let broke: ReturnType<ChainVerifier['check']>;
    for (let after = 0; ; ) {
      const page = await t.service.store.listAudit({ afterSeq: after, limit: 2 });
      if (page.length === 0) break;
      broke = verifier.check(page);
      if (broke) break;
      after = page.at(-1)!.seq;
    }
    expect(broke!).toEqual({ seq: target.seq + 1, problem: 'gap', expectedSeq: target.seq });
    expect(verifier.checked).toBe(target.seq - 1);
  });
});
