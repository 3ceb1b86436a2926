/**
 * The operator console's queries (see operator-types.ts), written once with kysely for SQLite and PostgreSQL.
 * Where JSON inside the audit trail's `detail` text is read, `jsonText` / `jsonNumber` give each dialect's form.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { appendAudit } from './audit-log.js';
import type {
  DeliveryListQuery,
  DeliveryLogEntry,
  OperatorStats,
  SessionAuditEntry,
  StatsRange,
} from './operator-types.js';
import type { StoreTables } from './schema.js';
import type { AuditEntry } from './types.js';

type Dialect = 'sqlite' | 'postgres';
const DAY_MS = 86_400_000;
/** Bounds what the statistics read into memory (reason codes, call durations) whatever the period. */
const STATS_ROWS = 200_000;
/** Outcomes that are a decision (the funnel's last step). */
const DECIDED = ['verified', 'rejected', 'review'];

const int = (v: number | string | bigint | null | undefined) => Number(v ?? 0);

/** `detail`'s top-level field `key` as text (key: a fixed identifier, never user input). */
function jsonText(dialect: Dialect, key: string): RawBuilder<string | null> {
  return dialect === 'postgres'
    ? sql<string | null>`(cast(detail as jsonb) ->> ${sql.lit(key)})`
    : sql<string | null>`json_extract(detail, ${sql.lit(`$.${key}`)})`;
}

function jsonNumber(dialect: Dialect, key: string): RawBuilder<number | null> {
  return dialect === 'postgres'
    ? sql<number | null>`cast(cast(detail as jsonb) ->> ${sql.lit(key)} as double precision)`
    : sql<number | null>`cast(json_extract(detail, ${sql.lit(`$.${key}`)}) as real)`;
}

export async function listDeliveries(
  db: Kysely<StoreTables>,
  query: DeliveryListQuery,
): Promise<DeliveryLogEntry[]> {
  if (query.limit <= 0) return [];
  let q = db
    .selectFrom('webhook_inbox')
    .select([
      'seq',
      'delivery_id',
      'event_type',
      'docv_transaction_token',
      'reference_id',
      'authenticated',
      'received_at',
      'consumed_by',
      'correlate_by',
    ]);
  if (query.eventType !== undefined) q = q.where('event_type', '=', query.eventType);
  if (query.docvTransactionToken !== undefined)
    q = q.where('docv_transaction_token', '=', query.docvTransactionToken);
  if (query.state === 'consumed') q = q.where('consumed_by', 'is not', null);
  if (query.state === 'unmatched') q = q.where('consumed_by', 'is', null).where('correlate_by', 'is', null);
  if (query.state === 'pending') q = q.where('consumed_by', 'is', null).where('correlate_by', 'is not', null);
  if (query.since !== undefined) q = q.where('received_at', '>=', query.since);
  if (query.until !== undefined) q = q.where('received_at', '<', query.until);
  if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({
    seq: int(r.seq),
    deliveryId: r.delivery_id,
    eventType: r.event_type,
    docvTransactionToken: r.docv_transaction_token,
    referenceId: r.reference_id,
    authenticated: int(r.authenticated) !== 0,
    receivedAt: int(r.received_at),
    consumedBy: r.consumed_by,
    pending: r.consumed_by === null && r.correlate_by !== null,
  }));
}

/**
 * failed → pending, due now, with a fresh attempt budget; the audit entry (given the callback's session) in the
 * same transaction. Returns the callback's session, or undefined when it was not a failed callback.
 */
export async function retryOutbound(
  trx: Kysely<StoreTables>,
  id: string,
  now: number,
  audit: AuditEntry,
): Promise<string | undefined> {
  const updated = await trx
    .updateTable('outbound_webhooks')
    .set({ status: 'pending', next_attempt_at: now, attempts: 0, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    // An erased person's callback was emptied: there is nothing left to send.
    .where('body', '!=', '')
    .returning('session_id')
    .executeTakeFirst();
  if (!updated) return undefined;
  await appendAudit(trx, [{ ...audit, detail: { ...audit.detail, sessionId: updated.session_id } }], now);
  return updated.session_id;
}

export async function listSessionAudit(
  db: Kysely<StoreTables>,
  sessionId: string,
  limit: number,
): Promise<SessionAuditEntry[]> {
  // Entries name their session as `"sessionId":"<uuid>"` in the JSON text (JSON.stringify, no spaces): one
  // LIKE that both dialects run alike. The id is a checked UUID, so it holds no LIKE wildcard.
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select(['at', 'type', 'actor', 'detail'])
    .where('detail', 'like', `%"sessionId":"${sessionId}"%`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ at: int(r.at), type: r.type, actor: r.actor, detail: parseObject(r.detail) }));
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function operatorStats(
  db: Kysely<StoreTables>,
  dialect: Dialect,
  range: StatsRange,
  reasonCodeLimit: number,
): Promise<OperatorStats> {
  // The literal divisor keeps the select and the group-by the same expression (no parameter) in PostgreSQL.
  const day = sql<number | string>`(created_at / ${sql.lit(DAY_MS)})`;
  const byDay = await db
    .selectFrom('sessions')
    .select([day.as('day'), 'outcome', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .groupBy([day, 'outcome'])
    .orderBy(day)
    .execute();

  const funnel = await db
    .selectFrom('sessions')
    .select((eb) => [
      'flow_id',
      eb.fn.countAll<number | string>().as('started'),
      eb.fn
        .sum<number | string>(
          eb
            .case()
            .when(
              eb.exists(
                eb
                  .selectFrom('session_timeline')
                  .select(sql.lit(1).as('one'))
                  .whereRef('session_timeline.session_id', '=', 'sessions.id')
                  .where('session_timeline.type', '=', 'resumed'),
              ),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('resumed'),
      eb.fn
        .sum<number | string>(eb.case().when('outcome', 'in', DECIDED).then(1).else(0).end())
        .as('decided'),
    ])
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .groupBy('flow_id')
    .orderBy('flow_id')
    .execute();

  const decision = jsonText(dialect, 'decision');
  const decisions = await db
    .selectFrom('audit_log')
    .select([decision.as('decision'), (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('type', '=', 'session.decided')
    .where('at', '>=', range.from)
    .where('at', '<', range.to)
    .groupBy(decision)
    .execute();

  // Reason codes are a JSON array per entry: counted here rather than with each dialect's array functions.
  const decided = await db
    .selectFrom('audit_log')
    .select('detail')
    .where('type', '=', 'session.decided')
    .where('at', '>=', range.from)
    .where('at', '<', range.to)
    .limit(STATS_ROWS)
    .execute();
  const codes = new Map<string, number>();
  for (const row of decided) {
    const list = parseObject(row.detail).reasonCodes;
    if (!Array.isArray(list)) continue;
    for (const code of list) if (typeof code === 'string') codes.set(code, (codes.get(code) ?? 0) + 1);
  }

  const duration = jsonNumber(dialect, 'durationMs');
  const status = jsonNumber(dialect, 'status');
  const calls = await db
    .selectFrom('audit_log')
    .select([duration.as('duration'), status.as('status')])
    .where('type', '=', 'socure.call')
    .where('at', '>=', range.from)
    .where('at', '<', range.to)
    .orderBy(duration)
    .limit(STATS_ROWS)
    .execute();

  return {
    outcomesByDay: byDay.map((r) => ({ day: int(r.day), outcome: r.outcome, count: int(r.n) })),
    funnel: funnel.map((r) => ({
      flowId: r.flow_id,
      started: int(r.started),
      resumed: int(r.resumed),
      decided: int(r.decided),
    })),
    decisions: decisions
      .filter((r) => r.decision !== null)
      .map((r) => ({ decision: String(r.decision), count: int(r.n) }))
      .sort((a, b) => b.count - a.count || a.decision.localeCompare(b.decision)),
    reasonCodes: [...codes]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .slice(0, reasonCodeLimit),
    socureCalls: {
      count: calls.length,
      errors: calls.filter((c) => c.status === null || Number(c.status) >= 400).length,
      durationsMs: calls.filter((c) => c.duration !== null).map((c) => Number(c.duration)),
    },
  };
}
