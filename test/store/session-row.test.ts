/**
 * A session row as the store maps it (src/store/rows.ts, toSessionRow): sealed fields open on first read and then
 * behave as plain values; every row shares one hidden class (per-row accessors once gave each row its own, which
 * cost ~4 KB of memory per open event stream).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PersonalData, type SealedColumn } from '../../src/store/personal-data.js';
import { toSessionRow } from '../../src/store/rows.js';
import type { SessionsTable } from '../../src/store/schema.js';

/** A sessions row as the database returns it, its personal columns sealed by `pd`. */
function stored(
  pd: PersonalData,
  id: string,
  customerUserId: string | null,
  returnUrl: string | null,
): SessionsTable {
  return {
    id,
    flow_id: 'docv-qr',
    status: 'waiting',
    node_id: 'prompt',
    version: 3,
    lease_owner: null,
    lease_until: null,
    customer_user_id:
      customerUserId === null ? null : pd.seal('sessions.customer_user_id', id, customerUserId),
    customer_user_hash: null,
    return_url: returnUrl === null ? null : pd.seal('sessions.return_url', id, returnUrl),
    wake_at: 900,
    wait_token: 'tok',
    wait_reference_id: null,
    wait_customer_user_id: null,
    wait_events: '["VERIFICATION_COMPLETED"]',
    challenge_id: 'ch',
    outcome: null,
    language: 'es',
    created_at: 1,
    updated_at: 2,
    expires_at: 3,
  } as SessionsTable;
}

/** PersonalData that counts what it opens. */
function counting(): { pd: PersonalData; opened: SealedColumn[] } {
  const pd = new PersonalData();
  const opened: SealedColumn[] = [];
  const open = pd.open.bind(pd);
  pd.open = (column, rowId, value) => {
    opened.push(column);
    return open(column, rowId, value);
  };
  return { pd, opened };
}

describe('toSessionRow', () => {
  it('maps every column, and opens a sealed field only when it is read, once', () => {
    const { pd, opened } = counting();
    const row = toSessionRow(stored(pd, 's1', 'user-7', 'https://app.example/done?email=a@b.c'), pd);
    expect([row.id, row.version, row.wakeAt, row.waitEvents, row.language, row.expiresAt]).toEqual([
      's1',
      3,
      900,
      ['VERIFICATION_COMPLETED'],
      'es',
      3,
    ]);
    expect(opened).toEqual([]);
    expect(row.customerUserId).toBe('user-7');
    expect(row.customerUserId).toBe('user-7');
    expect(opened).toEqual(['sessions.customer_user_id']);
    expect(row.returnUrl).toBe('https://app.example/done?email=a@b.c');
    expect(opened).toEqual(['sessions.customer_user_id', 'sessions.return_url']);
  });

  it('spreads, serialises and compares as a plain object with plain values', () => {
    const { pd } = counting();
    const row = toSessionRow(stored(pd, 's2', 'user-8', null), pd);
    const copy = { ...row };
    expect(Object.getOwnPropertyDescriptor(copy, 'customerUserId')?.value).toBe('user-8');
    expect(copy.returnUrl).toBeNull();
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
    expect(JSON.parse(JSON.stringify(row))).toEqual(copy);
    expect(Object.keys(row)).toEqual(Object.keys(copy));
    expect(row).toStrictEqual(copy);
  });

  it('takes a value set on it (a patched row) instead of opening the stored one', () => {
    const { pd, opened } = counting();
    const row = toSessionRow(stored(pd, 's3', 'user-9', null), pd);
    row.customerUserId = 'someone-else';
    expect(row.customerUserId).toBe('someone-else');
    expect(opened).toEqual([]);
  });

  it('fails on read, not on mapping, when a field does not open (its key is not in the ring)', () => {
    const sealedBy = new PersonalData();
    const row = toSessionRow(stored(sealedBy, 's4', 'user-10', null), new PersonalData());
    expect(row.status).toBe('waiting');
    expect(() => row.customerUserId).toThrow();
  });

  it('gives every row the same hidden class (checked by V8 in a child process)', () => {
    const rows = fileURLToPath(new URL('../../src/store/rows.ts', import.meta.url));
    const personalData = fileURLToPath(new URL('../../src/store/personal-data.ts', import.meta.url));
    const script = `
      const { toSessionRow } = await import(${JSON.stringify(rows)});
      const { PersonalData } = await import(${JSON.stringify(personalData)});
      const pd = new PersonalData();
      const row = (id, user) => toSessionRow({ id, flow_id: 'f', status: 'waiting', node_id: 'n', version: 1,
        lease_owner: null, lease_until: null, customer_user_id: user && pd.seal('sessions.customer_user_id', id, user),
        return_url: null, wake_at: null, wait_token: null, wait_reference_id: null, wait_customer_user_id: null,
        wait_events: null, challenge_id: null, outcome: null, language: null, created_at: 1, updated_at: 1,
        expires_at: 1 }, pd);
      const a = row('a', 'x'), b = row('b', null), c = row('c', 'y');
      void c.customerUserId;
      console.log(JSON.stringify([%HaveSameMap(a, b), %HaveSameMap(a, c), %HasFastProperties(a)]));`;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '--eval', script],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(JSON.parse(out.trim())).toEqual([true, true, true]);
  });
});
