/**
 * The audit trail's table. Entries are appended unchained in the transaction that acts (no lock shared by every
 * step), then chained in append order by `chainAudit` under one lock (PostgreSQL: an advisory lock; SQLite has
 * one writer), which gives them their seq and hashes.
 */
import { type Kysely, sql } from 'kysely';
import { auditHash, GENESIS_HASH } from './audit-chain.js';
import type { StoreTables } from './schema.js';
import type { Trx } from './sql-store.js';
import type { AuditEntry, AuditListQuery, AuditRecord } from './types.js';

/** Our advisory lock key for chaining (PostgreSQL). */
const CHAIN_LOCK = 7_265_120_520;

export async function appendAudit(trx: Kysely<StoreTables>, entries: readonly AuditEntry[], now: number) {
  if (entries.length === 0) return;
  await trx
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        at: now,
        type: e.type,
        actor: e.actor,
        detail: JSON.stringify(e.detail),
        seq: null,
        prev_hash: null,
        hash: null,
      })),
    )
    .execute();
}

export async function chainAudit(trx: Trx, dialect: 'sqlite' | 'postgres', limit: number): Promise<number> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  const pending = await trx
    .selectFrom('audit_log')
    .select(['id', 'at', 'type', 'actor', 'detail'])
    .where('seq', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  if (pending.length === 0) return 0;
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  for (const row of pending) {
    seq++;
    const hash = auditHash(prevHash, {
      seq,
      at: Number(row.at),
      type: row.type,
      actor: row.actor,
      detailText: row.detail,
    });
    await trx
      .updateTable('audit_log')
      .set({ seq, prev_hash: prevHash, hash })
      .where('id', '=', row.id)
      .execute();
    prevHash = hash;
  }
  return pending.length;
}

export async function listAudit(db: Kysely<StoreTables>, query: AuditListQuery): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().where('seq', 'is not', null);
  if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  const rows = await q.orderBy('seq').limit(query.limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: Number(r.at),
    type: r.type,
    actor: r.actor,
    detail: parseDetail(r.detail),
    detailText: r.detail,
    prevHash: r.prev_hash ?? '',
    hash: r.hash ?? '',
  }));
}

/** An entry's detail; one altered into something that is not JSON still reads (verification names it). */
function parseDetail(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // falls through
  }
  return { unreadable: text };
}
