/**
 * `keys rotate`: every sealed value not under the ring's current key is re-sealed (its data key re-wrapped; a
 * value stored before encryption existed is sealed), and customer user ids stored before hashing are hashed.
 * Batches are small transactions and each update is conditional on the value it read, so it is resumable and
 * safe while instances write: a value changed meanwhile was written under the current key already.
 */
import { type Kysely, sql } from 'kysely';
import type { PersonalData, SealedColumn } from './personal-data.js';
import type { StoreTables } from './schema.js';
import type { Trx } from './sql-store.js';
import type { RotationProgress } from './types.js';

interface SealedTarget {
  column: SealedColumn;
  table: 'sessions' | 'session_data' | 'webhook_inbox' | 'outbound_webhooks' | 'settings';
  value: string;
  rowId: string;
  /** Values that are not personal data markers (an emptied callback body). */
  skipEmpty?: boolean;
}

const SEALED: SealedTarget[] = [
  { column: 'sessions.customer_user_id', table: 'sessions', value: 'customer_user_id', rowId: 'id' },
  { column: 'sessions.return_url', table: 'sessions', value: 'return_url', rowId: 'id' },
  { column: 'session_data.input', table: 'session_data', value: 'input', rowId: 'session_id' },
  { column: 'session_data.outputs', table: 'session_data', value: 'outputs', rowId: 'session_id' },
  { column: 'session_data.result', table: 'session_data', value: 'result', rowId: 'session_id' },
  { column: 'webhook_inbox.payload', table: 'webhook_inbox', value: 'payload', rowId: 'delivery_id' },
  {
    column: 'outbound_webhooks.body',
    table: 'outbound_webhooks',
    value: 'body',
    rowId: 'id',
    skipEmpty: true,
  },
  { column: 'settings.value', table: 'settings', value: 'value', rowId: 'name' },
];

/** Columns that hold a customer user id's keyed hash (`h1.…`); a plain id there predates hashing. */
const HASHED = [
  { table: 'sessions', value: 'wait_customer_user_id', rowId: 'id' },
  { table: 'webhook_inbox', value: 'customer_user_id', rowId: 'delivery_id' },
] as const;

// The tables and columns are chosen at run time from the lists above, so the builder is typed loosely here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

function stale(db: AnyDb, pd: PersonalData, t: SealedTarget) {
  const prefix = `e1.${pd.cipher.ring.current.id}.`;
  let q = db
    .selectFrom(t.table)
    .where(t.value, 'is not', null)
    .where(sql<boolean>`substr(${sql.ref(t.value)}, 1, ${prefix.length}) != ${prefix}`);
  // Only the lookup key is sealed among the settings.
  if (t.table === 'settings') q = q.where('name', '=', 'lookup-key');
  if (t.skipEmpty) q = q.where(t.value, '!=', '');
  return q;
}

/** Sessions whose customer user id was stored before hashing: sealed id, but no hash beside it. */
function unhashedSessions(db: AnyDb) {
  return db
    .selectFrom('sessions')
    .where('customer_user_id', 'is not', null)
    .where('customer_user_hash', 'is', null);
}

function plainHashed(db: AnyDb, t: (typeof HASHED)[number]) {
  return db
    .selectFrom(t.table)
    .where(t.value, 'is not', null)
    .where(sql<boolean>`substr(${sql.ref(t.value)}, 1, 3) != 'h1.'`);
}

export async function countToReseal(db: Kysely<StoreTables>, pd: PersonalData): Promise<number> {
  const any = db as AnyDb;
  let total = 0;
  const count = async (q: ReturnType<typeof unhashedSessions>) =>
    Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  for (const t of SEALED) total += await count(stale(any, pd, t));
  total += await count(unhashedSessions(any));
  for (const t of HASHED) total += await count(plainHashed(any, t));
  return total;
}

export async function resealBatch(trx: Trx, pd: PersonalData, limit: number): Promise<RotationProgress> {
  const db = trx as unknown as AnyDb;
  let resealed = 0;
  /** Replaces each row's value by `next(value)`, only where it still holds the value read (compare-and-swap). */
  const swap = async (
    target: { table: string; value: string; rowId: string },
    query: ReturnType<typeof unhashedSessions>,
    next: (rowId: string, value: string) => string,
  ) => {
    const rows = (await query
      .select([`${target.rowId} as rowId`, `${target.value} as value`])
      .limit(limit)
      .execute()) as Array<{ rowId: string; value: string }>;
    for (const { rowId, value } of rows) {
      const updated = await db
        .updateTable(target.table)
        .set({ [target.value]: next(rowId, value) })
        .where(target.rowId, '=', rowId)
        .where(target.value, '=', value)
        .executeTakeFirst();
      resealed += Number(updated.numUpdatedRows);
    }
  };
  for (const t of SEALED)
    await swap(t, stale(db, pd, t), (rowId, value) => pd.reseal(t.column, rowId, value));
  for (const t of HASHED) await swap(t, plainHashed(db, t), (_rowId, value) => pd.hash(value));
  const sessions = (await unhashedSessions(db)
    .select(['id', 'customer_user_id'])
    .limit(limit)
    .execute()) as Array<{ id: string; customer_user_id: string }>;
  for (const { id, customer_user_id } of sessions) {
    const plain = pd.open('sessions.customer_user_id', id, customer_user_id);
    const updated = await db
      .updateTable('sessions')
      .set({ customer_user_hash: pd.hash(plain) })
      .where('id', '=', id)
      .where('customer_user_hash', 'is', null)
      .executeTakeFirst();
    resealed += Number(updated.numUpdatedRows);
  }
  return { resealed, remaining: await countToReseal(trx, pd) };
}
