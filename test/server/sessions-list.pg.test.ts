/**
 * GET /api/sessions on a real PostgreSQL (test/support/postgres.ts): keyset pages across sessions created in the
 * same millisecond (the id breaks the tie), the filters, and the query plan — the list reads the indexes of
 * migration 0008 in order, without sorting the table.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../src/store/types.js';
import { databaseUrlFor } from '../support/database.js';
import { startTestService, type TestService } from './helpers.js';
import { allPages, newestFirst } from './session-list-support.js';

let t: TestService;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await databaseUrlFor(join('/tmp', `sessions-list-pg-${randomUUID()}.db`));
  expect(databaseUrl).toMatch(/^postgres/);
  t = await startTestService({ databaseUrl });
});
afterAll(async () => {
  await t?.close();
});

/** Sessions created straight in the store, all in one millisecond, leased far ahead so no sweep touches them. */
async function createAt(
  at: number,
  count: number,
  customerUserId: string,
  flowId = 'idplus-score',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await t.service.store.createSession(
      { id, flowId, nodeId: 'form', customerUserId, returnUrl: null, expiresAt: at + 86_400_000, input: {} },
      at,
      { owner: 'list-test', until: Date.now() + 3_600_000 },
    );
    ids.push(id);
  }
  return ids;
}

async function setStatus(id: string, status: SessionStatus): Promise<void> {
  const row = (await t.service.store.getSession(id))!;
  const moved = await t.service.store.commitStep({
    sessionId: id,
    expectedVersion: row.version,
    patch: { status },
    now: row.createdAt,
    lease: { owner: 'list-test', until: Date.now() + 3_600_000 },
  });
  expect(moved).toBeDefined();
}

async function explain(statement: string, values: unknown[]): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    // A handful of rows: the planner would read them all and sort; this asks whether an index serves the order
    // (were none to, a Sort node would still be there).
    await client.query('set enable_seqscan = off');
    await client.query('set enable_bitmapscan = off');
    const rows = await client.query<{ 'QUERY PLAN': string }>(`explain ${statement}`, values);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end().catch(() => {});
  }
}

describe('GET /api/sessions on PostgreSQL', () => {
  it('pages through 7 sessions created in one millisecond, 3 at a time, by id within the tie', async () => {
    const who = `pg-ties-${randomUUID()}`;
    const at = Date.UTC(2031, 0, 1);
    const ids = [...(await createAt(at, 7, who))];

    const pages = await allPages(t, { customerUserId: who, limit: '3' });
    expect(pages.map((p) => p.sessions.length)).toEqual([3, 3, 1]);
    const listed = pages.flatMap((p) => p.sessions);
    expect(listed.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(new Set(listed.map((s) => s.createdAt))).toEqual(new Set([new Date(at).toISOString()]));
    expect([...listed].sort(newestFirst).map((s) => s.id)).toEqual(listed.map((s) => s.id));
  });

  it('newer sessions come first across milliseconds, and each filter holds on every page', async () => {
    const who = `pg-filters-${randomUUID()}`;
    const at = Date.UTC(2031, 1, 1);
    const older = await createAt(at, 3, who);
    const newer = await createAt(at + 1, 3, who);
    const otherFlow = await createAt(at + 2, 2, who, 'docv-qr');
    await setStatus(older[0]!, 'input');
    await setStatus(newer[1]!, 'input');

    const all = (await allPages(t, { customerUserId: who, limit: '2' })).flatMap((p) => p.sessions);
    expect(
      all
        .map((s) => s.id)
        .slice(0, 2)
        .sort(),
    ).toEqual([...otherFlow].sort());
    expect(
      all
        .map((s) => s.id)
        .slice(2, 5)
        .sort(),
    ).toEqual([...newer].sort());
    expect(
      all
        .map((s) => s.id)
        .slice(5)
        .sort(),
    ).toEqual([...older].sort());

    const input = (await allPages(t, { customerUserId: who, status: 'input', limit: '1' })).flatMap(
      (p) => p.sessions,
    );
    expect(input.map((s) => s.id)).toEqual([newer[1], older[0]]);
    const running = (
      await allPages(t, { customerUserId: who, status: 'running', flow: 'idplus-score', limit: '2' })
    ).flatMap((p) => p.sessions);
    expect(running.map((s) => s.id).sort()).toEqual(
      [...older, ...newer].filter((id) => id !== older[0] && id !== newer[1]).sort(),
    );
    expect(running.every((s) => s.status === 'running' && s.flow === 'idplus-score')).toBe(true);
    const docv = (await allPages(t, { customerUserId: who, flow: 'docv-qr' })).flatMap((p) => p.sessions);
    expect(docv.map((s) => s.id).sort()).toEqual([...otherFlow].sort());
  });

  it('the keyset query reads (created_at, id) and (status, created_at, id) in order: no sort of the table', async () => {
    const after = [Date.UTC(2031, 0, 1), 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    const all = await explain(
      'select * from sessions where (created_at, id) < ($1, $2) order by created_at desc, id desc limit 51',
      after,
    );
    expect(all).toMatch(/Index Scan Backward using sessions_created_at_id/);
    expect(all).not.toMatch(/Sort/);
    const byStatus = await explain(
      'select * from sessions where status = $3 and (created_at, id) < ($1, $2) order by created_at desc, id desc limit 51',
      [...after, 'waiting'],
    );
    expect(byStatus).toMatch(/Index Scan Backward using sessions_status_created_at_id/);
    expect(byStatus).not.toMatch(/Sort/);
  });
});
