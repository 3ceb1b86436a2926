/**
 * Issue 9, retention, with an injected clock: the service runs sessions to their ends in real time, then a
 * Housekeeping of its own (the class the service ticks) is run at a "now" 31 days later. Records are aged by
 * moving their timestamps in the database (the store keeps times as numbers; a clock cannot be injected into a
 * running service): what ended 31 days before that "now" is purged — sessions keep their non-personal record —,
 * what ended 29 days before is not; deliveries no session consumed go after 72 hours; delivered callbacks lose
 * their body. The job runs once per period across instances, and says so in the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Housekeeping } from '../../src/server/housekeeping.js';
import type { SessionData, SessionRow } from '../../src/store/types.js';
import { docvRequest } from '../sandbox/docv-support.js';
import { eventually } from '../support/eventually.js';
import { type TestService, waitForCompletion } from './helpers.js';
import {
  type AppReceiver,
  callbacksDelivered,
  docvSession,
  PERSON,
  rawQuery,
  scoreSession,
  startServiceWithApp,
} from './personal-data-support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface InboxRow {
  delivery_id: string;
  docv_transaction_token: string | null;
  consumed_by: string | null;
  correlate_by: number | string | null;
  received_at: number | string;
}

let t: TestService;
let app: AppReceiver;
let url: string;
let fakeNow: number;
const s = {} as Record<
  'oldScore' | 'oldDocv' | 'oldExpired' | 'youngScore' | 'youngDocv' | 'waiting',
  string
>;
const tokens = {} as Record<'oldDocv' | 'youngDocv' | 'waiting' | 'u1' | 'u2' | 'u3', string>;
const before = new Map<string, { session: SessionRow; data: SessionData }>();

const sql = <T>(text: string, params?: unknown[]) => rawQuery<T>(url, text, params);

const inbox = () =>
  sql<InboxRow>(
    'select delivery_id, docv_transaction_token, consumed_by, correlate_by, received_at from webhook_inbox',
  );

async function scored(customerUserId: string): Promise<string> {
  const { id } = await scoreSession(t, customerUserId);
  await waitForCompletion(t, id);
  return id;
}

async function docv(customerUserId: string, scenario?: string): Promise<{ id: string; token: string }> {
  const session = await docvSession(t, customerUserId, { scenario });
  if (scenario) await waitForCompletion(t, session.id);
  return session;
}

/** A DocV transaction made on the sandbox directly: its delivery reaches the inbox, and no session waits for it. */
async function unmatchedDelivery(customerUserId: string): Promise<string> {
  const res = await docvRequest({ sandbox: t.service.sandbox! }, { customerUserId });
  expect(res.status, res.text).toBe(200);
  return res.json.data.docvTransactionToken as string;
}

function housekeeping(owner: string, now: number) {
  return new Housekeeping({
    store: t.service.store,
    retentionDays: 30,
    inboxRetentionHours: 72,
    owner,
    now: () => now,
  });
}

beforeAll(async () => {
  ({ t, app, url } = await startServiceWithApp());
  s.oldScore = await scored('retention-old-score');
  ({ id: s.oldDocv, token: tokens.oldDocv } = await docv('retention-old-docv', 'complete-accept'));
  s.oldExpired = (await docv('retention-old-expired', 'expire')).id;
  s.youngScore = await scored('retention-young-score');
  ({ id: s.youngDocv, token: tokens.youngDocv } = await docv('retention-young-docv', 'complete-accept'));
  ({ id: s.waiting, token: tokens.waiting } = await docv('retention-waiting'));
  tokens.u1 = await unmatchedDelivery('retention-unmatched-1');
  tokens.u2 = await unmatchedDelivery('retention-unmatched-2');
  tokens.u3 = await unmatchedDelivery('retention-unmatched-3');
  // Nothing in flight: callbacks delivered, every delivery in the inbox and correlated (the sweep settles those
  // nobody waits for after its grace period).
  const ended = [s.oldScore, s.oldDocv, s.oldExpired, s.youngScore, s.youngDocv];
  await eventually(() => callbacksDelivered(t, ended), 'every ended session’s callback delivered', {
    timeoutMs: 15_000,
  });
  await eventually(
    async () => {
      const rows = await inbox();
      const of = (token: string) => rows.filter((r) => r.docv_transaction_token === token);
      return (
        of(tokens.oldDocv).length === 8 &&
        of(tokens.youngDocv).length === 8 &&
        [tokens.u1, tokens.u2, tokens.u3, tokens.waiting].every((x) => of(x).length === 1) &&
        rows.every((r) => r.correlate_by === null)
      );
    },
    'every delivery committed and correlated',
    { timeoutMs: 20_000 },
  );
  for (const id of Object.values(s)) {
    before.set(id, {
      session: (await t.service.store.getSession(id))!,
      data: (await t.service.store.getSessionData(id))!,
    });
  }
  // The clock: 31 days after everything above. The "young" records are moved 2 days later (29 days old then).
  fakeNow = Date.now() + 31 * DAY;
  const young = [s.youngScore, s.youngDocv];
  const marks = young.map(() => '?').join(', ');
  await sql(`update sessions set updated_at = updated_at + ? where id in (${marks})`, [2 * DAY, ...young]);
  await sql(`update webhook_inbox set received_at = received_at + ? where consumed_by in (${marks})`, [
    2 * DAY,
    ...young,
  ]);
  await sql(
    `update outbound_webhooks set next_attempt_at = next_attempt_at + ? where session_id in (${marks})`,
    [2 * DAY, ...young],
  );
  // Unmatched deliveries on both sides of 72 hours (u1 stays 31 days old).
  await sql('update webhook_inbox set received_at = ? where docv_transaction_token = ?', [
    fakeNow - 71 * HOUR,
    tokens.u2,
  ]);
  await sql('update webhook_inbox set received_at = ? where docv_transaction_token = ?', [
    fakeNow - 73 * HOUR,
    tokens.u3,
  ]);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await app?.close();
});

describe('retention (RETENTION_DAYS 30, INBOX_RETENTION_HOURS 72) with an injected clock', () => {
  let counts: Awaited<ReturnType<Housekeeping['runRetention']>>;
  let inboxBefore: InboxRow[];

  it('one instance claims this period’s job and purges; another instance in the same period does not run', async () => {
    inboxBefore = await inbox();
    counts = await housekeeping('instance-a', fakeNow).runRetention();
    expect(counts).toBeDefined();
    // The three sessions that ended 31 days ago and their callbacks (one each).
    expect(counts).toMatchObject({ sessions: 3, callbacks: 3 });
    expect(await housekeeping('instance-b', fakeNow).runRetention()).toBeUndefined();
    expect(await housekeeping('instance-c', fakeNow + HOUR / 2).runRetention()).toBeUndefined();
    expect(await housekeeping('instance-a', fakeNow + HOUR / 2).runRetention()).toBeUndefined();
  });

  it('sessions that ended 31 days ago: input and outputs gone, the non-personal record and timestamps kept', async () => {
    for (const id of [s.oldScore, s.oldDocv, s.oldExpired]) {
      const was = before.get(id)!;
      const session = (await t.service.store.getSession(id))!;
      expect(session).toEqual({ ...was.session, customerUserId: null });
      const data = (await t.service.store.getSessionData(id))!;
      expect(data.input).toEqual({});
      expect(data.outputs).toEqual({});
      expect(Object.keys(data.result!).sort()).toEqual([
        'decision',
        'personalDataRemoved',
        'reasonCodes',
        'referenceIds',
      ]);
      expect(data.result!.personalDataRemoved).toBe('retention');
      const body = (await t.api(`/api/sessions/${id}?include=input`)).json<Record<string, unknown>>();
      expect(body).toMatchObject({
        status: 'completed',
        outcome: was.session.outcome,
        input: {},
        customerUserId: null,
      });
      expect(body.createdAt).toBe(new Date(was.session.createdAt).toISOString());
    }
    const score = (await t.service.store.getSessionData(s.oldScore))!.result!;
    const was = before.get(s.oldScore)!.data.result as { decision: string; referenceId: string };
    expect(score).toMatchObject({ decision: was.decision, referenceIds: [was.referenceId] });
    expect((score.reasonCodes as string[]).length).toBeGreaterThan(0);
    const docvResult = (await t.service.store.getSessionData(s.oldDocv))!.result!;
    const docvWas = before.get(s.oldDocv)!.data.result as { decision: string; reasonCodes: string[] };
    expect(docvResult).toMatchObject({
      decision: docvWas.decision,
      reasonCodes: [...docvWas.reasonCodes].sort(),
    });
    expect(JSON.stringify(await t.service.store.getSessionData(s.oldScore))).not.toContain(PERSON.surName);
    expect((await t.service.store.getSession(s.oldExpired))!.outcome).toBe('expired');
  });

  it('sessions that ended 29 days ago, and unfinished ones, are kept whole', async () => {
    for (const id of [s.youngScore, s.youngDocv, s.waiting]) {
      const was = before.get(id)!;
      expect(await t.service.store.getSessionData(id)).toEqual(was.data);
      expect((await t.service.store.getSession(id))!.customerUserId).toBe(was.session.customerUserId);
    }
    expect((await t.service.store.getSession(s.waiting))!.status).toBe('waiting');
  });

  it('deliveries: unmatched ones older than 72 h deleted, younger kept; consumed ones follow their session', async () => {
    const after = await inbox();
    const left = new Set(after.map((r) => r.delivery_id));
    const youngConsumed = inboxBefore.filter((r) => r.consumed_by === s.youngDocv).map((r) => r.delivery_id);
    const u2 = inboxBefore.filter((r) => r.docv_transaction_token === tokens.u2).map((r) => r.delivery_id);
    expect(youngConsumed.length).toBeGreaterThan(0);
    expect(u2).toHaveLength(1);
    expect(left).toEqual(new Set([...youngConsumed, ...u2]));
    expect(counts!.deliveries).toBe(inboxBefore.length - after.length);
    // Among the deleted: u1 (31 days), u3 (73 hours), the old capture's consumed and unconsumed deliveries.
    for (const token of [tokens.u1, tokens.u3, tokens.oldDocv]) {
      expect(
        after.some((r) => r.docv_transaction_token === token),
        token,
      ).toBe(false);
    }
  });

  it('delivered callbacks of purged sessions keep their record but not their body; the others keep it', async () => {
    for (const id of [s.oldScore, s.oldDocv, s.oldExpired]) {
      const [callback] = await t.service.store.listOutbound(id);
      expect(callback).toMatchObject({ status: 'delivered', body: '', attempts: 1 });
    }
    for (const id of [s.youngScore, s.youngDocv]) {
      const [callback] = await t.service.store.listOutbound(id);
      expect(JSON.parse(callback!.body)).toMatchObject({ type: 'session.completed', data: { id } });
    }
  });

  it('the audit trail says the job ran: retention.purged with the counts and the settings', async () => {
    const res = await t.api('/api/audit?limit=1000');
    const { entries } = res.json<{
      entries: Array<{ type: string; actor: string; at: string; detail: unknown }>;
    }>();
    const purged = entries.filter((e) => e.type === 'retention.purged');
    expect(purged).toEqual([
      {
        ...purged[0],
        actor: 'retention',
        at: new Date(fakeNow).toISOString(),
        detail: { ...counts, retentionDays: 30, inboxRetentionHours: 72 },
      },
    ]);
  });

  it('the next period runs again; with nothing past retention it purges nothing and records nothing', async () => {
    expect(await housekeeping('instance-b', fakeNow + HOUR).runRetention()).toEqual({
      sessions: 0,
      deliveries: 0,
      callbacks: 0,
    });
    const { entries } = (await t.api('/api/audit?limit=1000')).json<{ entries: Array<{ type: string }> }>();
    expect(entries.filter((e) => e.type === 'retention.purged')).toHaveLength(1);
  });

  it('two days later the "young" ones are 31 days old too and go', async () => {
    const later = await housekeeping('instance-c', fakeNow + 2 * DAY + 2 * HOUR).runRetention();
    expect(later).toMatchObject({ sessions: 2, callbacks: 2 });
    for (const id of [s.youngScore, s.youngDocv]) {
      expect((await t.service.store.getSessionData(id))!.input).toEqual({});
    }
    expect((await t.service.store.getSession(s.waiting))!.status).toBe('waiting');
  });
});
