/**
 * The store's SQL, shared by SQLite and PostgreSQL: every query is written once with kysely. A dialect
 * supplies how a write transaction runs, how a committed change is announced, and how claim queries lock
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time, so a plain conditional update).
 */
import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { appendAudit, chainAudit, listAudit } from './audit-log.js';
import { type BacklogCounts, countBacklog } from './backlog.js';
import { Batcher } from './batcher.js';
import { eraseCustomer } from './erasure.js';
import { countToReseal, resealBatch } from './key-rotation.js';
import { MIGRATION_NAMES } from './migrations/index.js';
import { listDeliveries, listSessionAudit, operatorStats, retryOutbound } from './operator-queries.js';
import type * as Operator from './operator-types.js';
import { PersonalData } from './personal-data.js';
import { slot, TemplateCache } from './query-template.js';
import { purgePersonalData } from './retention.js';
import {
  sessionPatchColumns,
  toInboxDelivery,
  toJson,
  toOutboundWebhook,
  toSessionRow,
  toTimelineEvent,
} from './rows.js';
import type { SessionDataTable, SessionsTable, StoreTables } from './schema.js';
import type {
  AuditEntry,
  AuditListQuery,
  AuditRecord,
  ChangeFeed,
  CorrelationKeys,
  DeliveryReceipt,
  ErasureCounts,
  InboxDelivery,
  LeaseClaim,
  NewDelivery,
  NewSession,
  OutboundStatus,
  OutboundWebhook,
  PurgeCounts,
  RetentionCutoffs,
  RotationProgress,
  SessionChange,
  SessionData,
  SessionListQuery,
  SessionRow,
  StepCommit,
  Store,
  TimelineEntry,
  TimelineEvent,
} from './types.js';

export type Trx = Transaction<StoreTables>;
/** Announces a committed change: runs inside the transaction (NOTIFY) or after its commit (in-process). */
export type Announce = (change: SessionChange) => Promise<void>;

type Lease = { owner: string; until: number };

/** Thrown inside a step's transaction to roll it back: its delivery was consumed by another step. */
class AlreadyConsumed extends Error {}

export abstract class SqlStore implements Store {
  abstract readonly dialect: 'sqlite' | 'postgres';
  abstract readonly changes: ChangeFeed;
  abstract close(): Promise<void>;
  /** Applies pending migrations (the dialect's own locking). */
  protected abstract migrateSchema(): Promise<void>;
  /** Seals and opens personal data; hashes customer user ids. */
  protected readonly pd: PersonalData;

  /**
   * @param writeConcurrency how many batched writes may run at once: 1 on SQLite (one writer), a share of the
   *   pool on PostgreSQL.
   */
  protected constructor(
    protected readonly db: Kysely<StoreTables>,
    writeConcurrency = 1,
    keyRing?: KeyRing,
  ) {
    this.pd = new PersonalData(keyRing);
    this.#inserts = new Batcher((inputs) => this.#insertDeliveries(inputs), writeConcurrency);
  }

  /** Runs `fn` as one write transaction; `announce` publishes a session change once it commits. */
  protected abstract write<T>(fn: (trx: Trx, announce: Announce) => Promise<T>): Promise<T>;
  /**
   * Runs one statement that needs no transaction of its own and announces nothing. PostgreSQL commits it by
   * itself (one round trip, not three); SQLite runs it as a write, so it shares the group commit.
   */
  protected autocommit<T>(fn: (db: Kysely<StoreTables>) => Promise<T>): Promise<T> {
    return this.write((trx) => fn(trx));
  }

  /** Deliveries arriving together are inserted with one statement (and on SQLite, one commit). */
  readonly #inserts: Batcher<{ delivery: NewDelivery; correlateBy: number }, DeliveryReceipt>;
  /**
   * Locks the rows a claim selects, skipping rows another claimer holds (PostgreSQL). SQLite has one writer at a
   * time, so its claim (select + conditional update in one write transaction) needs no lock clause.
   */
  #skipLocked<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O> {
    return this.dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
  }

  /** Refuses a database that has applied a migration this code does not know (a newer release migrated it). */
  protected async assertSchemaNotNewer(): Promise<void> {
    let applied: string[];
    try {
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(this.db);
      applied = rows.rows.map((r) => r.name);
    } catch {
      return; // a new database: no migration table yet
    }
    const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name)).sort();
    if (unknown.length > 0) {
      throw new Error(
        `the database schema is newer than this socure-connector: it has migration ${unknown.join(', ')}, ` +
          `this version knows up to ${MIGRATION_NAMES.at(-1)}. Upgrade socure-connector (every instance) ` +
          'or point DATABASE_URL at another database.',
      );
    }
  }

  /** Migrates, then loads the lookup key (created on the first start, sealed by the ring). */
  async migrate(): Promise<void> {
    await this.migrateSchema();
    await this.pd.loadLookupKey((name, create) => this.getOrCreateSetting(name, create));
  }

  lookupHash(value: string): string {
    return this.pd.hash(value);
  }

  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(this.db);
      const applied = new Set(rows.rows.map((r) => r.name));
      const pending = MIGRATION_NAMES.filter((name) => !applied.has(name));
      if (pending.length > 0) return { ok: false, detail: `pending migrations: ${pending.join(', ')}` };
      return { ok: true, detail: `${this.dialect}: ${applied.size} migration(s) applied` };
    } catch (error) {
      return {
        ok: false,
        detail: `${this.dialect}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  // --- sessions ---

  createSession(session: NewSession, now: number, lease: LeaseClaim): Promise<SessionRow> {
    const row: SessionsTable = {
      id: session.id,
      flow_id: session.flowId,
      status: 'running',
      node_id: session.nodeId,
      version: 1,
      lease_owner: lease.until === null ? null : lease.owner,
      lease_until: lease.until,
      customer_user_id:
        session.customerUserId === null
          ? null
          : this.pd.seal('sessions.customer_user_id', session.id, session.customerUserId),
      customer_user_hash: session.customerUserId === null ? null : this.pd.hash(session.customerUserId),
      return_url:
        session.returnUrl === null
          ? null
          : this.pd.seal('sessions.return_url', session.id, session.returnUrl),
      wake_at: null,
      wait_token: null,
      wait_reference_id: null,
      wait_customer_user_id: null,
      wait_events: null,
      challenge_id: null,
      outcome: null,
      created_at: now,
      updated_at: now,
      expires_at: session.expiresAt,
      ...(session.language ? { language: session.language } : {}),
    };
    return this.write(async (trx, announce) => {
      await trx.insertInto('sessions').values(row).execute();
      await trx
        .insertInto('session_data')
        .values({
          session_id: session.id,
          input: this.pd.sealJson('session_data.input', session.id, session.input),
          outputs: this.pd.sealJson('session_data.outputs', session.id, {}),
          result: null,
        })
        .execute();
      await insertTimeline(trx, session.id, 1, session.timeline ?? [], now);
      await appendAudit(trx, session.audit ?? [], now);
      await announce({ id: session.id, version: 1, status: 'running' });
      return toSessionRow(row, this.pd);
    });
  }

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSessionRow(row, this.pd);
  }

  /** The first claimant also gives the session its language (its browser's) when the app did not. */
  async claimSession(id: string, claimant: string, language?: string): Promise<boolean> {
    const claimedBy = async () =>
      (await this.db.selectFrom('sessions').select('claimed_by').where('id', '=', id).executeTakeFirst())
        ?.claimed_by;
    // Every page load and status poll asks: a read answers all but the first, which writes once.
    const current = await claimedBy();
    if (current !== null) return current === claimant;
    await this.write((trx) =>
      trx
        .updateTable('sessions')
        .set((eb) => ({
          claimed_by: claimant,
          ...(language ? { language: eb.fn.coalesce('language', eb.val(language)) } : {}),
        }))
        .where('id', '=', id)
        .where('claimed_by', 'is', null)
        .execute(),
    );
    return (await claimedBy()) === claimant;
  }

  async getSessionData(id: string): Promise<SessionData | undefined> {
    const row = await this.db
      .selectFrom('session_data')
      .selectAll()
      .where('session_id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      input: this.pd.openJson('session_data.input', id, row.input),
      outputs: this.pd.openJson('session_data.outputs', id, row.outputs),
      result: row.result === null ? null : this.pd.openJson('session_data.result', id, row.result),
    };
  }

  async commitStep(step: StepCommit): Promise<SessionRow | undefined> {
    try {
      return await this.#commitStep(step);
    } catch (err) {
      if (err instanceof AlreadyConsumed) return undefined;
      throw err;
    }
  }

  #commitStep(step: StepCommit): Promise<SessionRow | undefined> {
    const { sessionId: id, now, lease } = step;
    return this.write(async (trx, announce) => {
      // The version check, the lease check and the write are one statement: no read-then-write.
      const updated = await trx
        .updateTable('sessions')
        .set((eb) => ({
          ...sessionPatchColumns(step.patch),
          version: eb('version', '+', 1),
          updated_at: now,
          lease_owner: lease.until === null ? null : lease.owner,
          lease_until: lease.until,
        }))
        .where('id', '=', id)
        .where('version', '=', step.expectedVersion)
        .where((eb) =>
          eb.or([
            eb('lease_owner', 'is', null),
            eb('lease_owner', '=', lease.owner),
            eb('lease_until', '<=', now),
          ]),
        )
        .returningAll()
        .executeTakeFirst();
      if (!updated) return undefined;
      const row = toSessionRow(updated, this.pd);
      const written = [...(step.output ? [step.output] : []), ...(step.moreOutputs ?? [])];
      if (written.length > 0 || step.result !== undefined) {
        const set: Partial<SessionDataTable> = {};
        if (written.length > 0) {
          // Safe to read-modify-write: this transaction holds the session row since the update above.
          const current = await trx
            .selectFrom('session_data')
            .select('outputs')
            .where('session_id', '=', id)
            .executeTakeFirstOrThrow();
          const outputs = this.pd.openJson<Record<string, unknown>>(
            'session_data.outputs',
            id,
            current.outputs,
          );
          for (const output of written)
            Object.defineProperty(outputs, output.nodeId, {
              value: output.value === undefined ? null : output.value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          set.outputs = this.pd.sealJson('session_data.outputs', id, outputs);
        }
        if (step.result !== undefined) set.result = this.pd.sealJson('session_data.result', id, step.result);
        await trx.updateTable('session_data').set(set).where('session_id', '=', id).execute();
      }
      if (step.consumedDelivery !== undefined) {
        // A delivery resumes one wait only: a step consuming one already consumed is rolled back whole.
        const consumed = await trx
          .updateTable('webhook_inbox')
          .set({ consumed_by: id, correlate_by: null })
          .where('delivery_id', '=', step.consumedDelivery)
          .where('consumed_by', 'is', null)
          .executeTakeFirst();
        if ((consumed.numUpdatedRows ?? 0n) === 0n) {
          const taken = await trx
            .selectFrom('webhook_inbox')
            .select('consumed_by')
            .where('delivery_id', '=', step.consumedDelivery)
            .executeTakeFirst();
          if (taken?.consumed_by != null) throw new AlreadyConsumed();
        }
      }
      await insertTimeline(trx, id, row.version, step.timeline ?? [], now);
      if (step.outbound) {
        const webhook = step.outbound;
        await trx
          .insertInto('outbound_webhooks')
          .values({
            id: webhook.id,
            session_id: webhook.sessionId,
            url: webhook.url,
            body: this.pd.seal('outbound_webhooks.body', webhook.id, webhook.body),
            attempts: 0,
            next_attempt_at: webhook.nextAttemptAt,
            status: 'pending',
            last_error: null,
          })
          .execute();
      }
      await appendAudit(trx, step.audit ?? [], now);
      await announce({ id, version: row.version, status: row.status });
      return row;
    });
  }

  acquireLease(
    id: string,
    lease: Lease,
    now: number,
    expectedVersion?: number,
  ): Promise<SessionRow | undefined> {
    return this.write(async (trx) => {
      let query = trx
        .updateTable('sessions')
        .set({ lease_owner: lease.owner, lease_until: lease.until })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('lease_owner', 'is', null),
            eb('lease_owner', '=', lease.owner),
            eb('lease_until', '<=', now),
          ]),
        );
      if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
      const row = await query.returningAll().executeTakeFirst();
      return row && toSessionRow(row, this.pd);
    });
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.write((trx) =>
      trx
        .updateTable('sessions')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute(),
    );
  }

  claimDueSessions(now: number, lease: Lease, limit: number): Promise<SessionRow[]> {
    return this.#claimSessions(lease, now, limit, (q) =>
      q.where('status', '=', 'waiting').where('wake_at', '<=', now).orderBy('wake_at'),
    );
  }

  claimExpiredSessions(now: number, lease: Lease, limit: number): Promise<SessionRow[]> {
    return this.#claimSessions(lease, now, limit, (q) =>
      // `in`, not `!= 'completed'`: a range in the (status, expires_at) index, not a read of every session.
      q
        .where('status', 'in', ['running', 'input', 'waiting'])
        .where('expires_at', '<=', now)
        .orderBy('expires_at'),
    );
  }

  claimStalledSessions(now: number, lease: Lease, limit: number): Promise<SessionRow[]> {
    return this.#claimSessions(lease, now, limit, (q) =>
      q.where('status', '=', 'running').orderBy('updated_at'),
    );
  }

  claimOrphanedSessions(
    previousOwners: string,
    currentOwners: string,
    lease: Lease,
    limit: number,
  ): Promise<SessionRow[]> {
    if (limit <= 0) return Promise.resolve([]);
    const startsWith = (prefix: string) => sql<boolean>`substr(lease_owner, 1, ${prefix.length}) = ${prefix}`;
    return this.write(async (trx) => {
      const ids = (
        await this.#skipLocked(
          trx
            .selectFrom('sessions')
            .select('id')
            .where('status', '!=', 'completed')
            .where(startsWith(previousOwners))
            .where(sql<boolean>`not (${startsWith(currentOwners)})`)
            .orderBy('updated_at')
            .orderBy('id')
            .limit(limit),
        ).execute()
      ).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await trx
        .updateTable('sessions')
        .set({ lease_owner: lease.owner, lease_until: lease.until })
        .where('id', 'in', ids)
        .where(startsWith(previousOwners))
        .returningAll()
        .execute();
      return rows.map((r) => toSessionRow(r, this.pd));
    });
  }

  /** Leases up to `limit` sessions that `filter` selects and nobody holds a live lease on. */
  #claimSessions(
    lease: Lease,
    now: number,
    limit: number,
    filter: (
      q: SelectQueryBuilder<StoreTables, 'sessions', { id: string }>,
    ) => SelectQueryBuilder<StoreTables, 'sessions', { id: string }>,
  ): Promise<SessionRow[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.write(async (trx) => {
      const candidates = filter(
        trx
          .selectFrom('sessions')
          .select('id')
          .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<=', now)])),
      )
        .orderBy('id')
        .limit(limit);
      const ids = (await this.#skipLocked(candidates).execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await trx
        .updateTable('sessions')
        .set({ lease_owner: lease.owner, lease_until: lease.until })
        .where('id', 'in', ids)
        .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<=', now)]))
        .returningAll()
        .execute();
      const order = new Map(ids.map((id, index) => [id, index]));
      return rows
        .map((r) => toSessionRow(r, this.pd))
        .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
  }

  async findWaitingSessions(keys: CorrelationKeys): Promise<SessionRow[]> {
    const { docvTransactionToken: token, referenceId, customerUserId } = keys;
    if (token == null && referenceId == null && customerUserId == null) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where((eb) => {
        // `status` in each arm: each arm is one lookup in its (key, status) index.
        const waiting = eb('status', '=', 'waiting');
        const any = [];
        if (token != null) any.push(eb.and([eb('wait_token', '=', token), waiting]));
        if (referenceId != null) any.push(eb.and([eb('wait_reference_id', '=', referenceId), waiting]));
        if (customerUserId != null)
          any.push(eb.and([eb('wait_customer_user_id', '=', customerUserId), waiting]));
        return eb.or(any);
      })
      .orderBy('updated_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => toSessionRow(r, this.pd));
  }

  async listSessions(query: SessionListQuery): Promise<SessionRow[]> {
    if (query.limit <= 0) return [];
    let q = this.db.selectFrom('sessions').selectAll();
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.flowId !== undefined) q = q.where('flow_id', '=', query.flowId);
    if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
    if (query.createdFrom !== undefined) q = q.where('created_at', '>=', query.createdFrom);
    if (query.createdBefore !== undefined) q = q.where('created_at', '<', query.createdBefore);
    if (query.customerUserId !== undefined)
      q = q.where('customer_user_hash', '=', this.pd.hash(query.customerUserId));
    const after = query.after;
    if (after !== undefined) {
      // A row comparison: one range of the (…, created_at, id) index (migration 0008), in both dialects.
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((r) => toSessionRow(r, this.pd));
  }

  async listWaitingSessions(limit: number, after?: string): Promise<SessionRow[]> {
    let query = this.db.selectFrom('sessions').selectAll().where('status', '=', 'waiting');
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => toSessionRow(r, this.pd));
  }

  // --- webhook inbox ---

  insertDelivery(delivery: NewDelivery, correlateBy: number): Promise<DeliveryReceipt> {
    return this.#inserts.call({ delivery, correlateBy });
  }

  async #insertDeliveries(
    inputs: { delivery: NewDelivery; correlateBy: number }[],
  ): Promise<DeliveryReceipt[]> {
    const values = inputs.flatMap(({ delivery: d, correlateBy }) => [
      d.deliveryId,
      d.eventType,
      d.docvTransactionToken,
      d.referenceId,
      d.customerUserId,
      this.pd.seal('webhook_inbox.payload', d.deliveryId, d.payload),
      d.authenticated ? 1 : 0,
      d.receivedAt,
      correlateBy,
    ]);
    const template = this.#insertTemplates.get(inputs.length);
    const inserted = await this.autocommit((db) => template.run(db as Kysely<unknown>, values));
    const waits = new Map(inserted.map((row) => [row.delivery_id, Boolean(row.session_waits)]));
    return inputs.map(({ delivery }) => {
      const sessionWaits = waits.get(delivery.deliveryId);
      if (sessionWaits === undefined) return { status: 'duplicate', sessionWaits: false };
      waits.delete(delivery.deliveryId); // a second row with this id in the batch is its duplicate
      return { status: 'inserted', sessionWaits };
    });
  }

  /**
   * The insert of `rows` deliveries, compiled once per batch size. DO NOTHING on any unique conflict — the delivery
   * id or the (token, event type) pair — also between two rows of one batch: the first is inserted, the later one
   * is the duplicate. The same statement says whether a session waits on each delivery's keys, so most
   * deliveries cost one statement in all.
   */
  readonly #insertTemplates = new TemplateCache((rows) =>
    this.db
      .insertInto('webhook_inbox')
      .values(
        Array.from({ length: rows }, (_, r) => ({
          delivery_id: slot(r * 9),
          event_type: slot(r * 9 + 1),
          docv_transaction_token: slot(r * 9 + 2),
          reference_id: slot(r * 9 + 3),
          customer_user_id: slot(r * 9 + 4),
          payload: slot(r * 9 + 5),
          authenticated: slot(r * 9 + 6) as unknown as number,
          received_at: slot(r * 9 + 7) as unknown as number,
          consumed_by: null,
          correlate_by: slot(r * 9 + 8) as unknown as number,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning((eb) => ['delivery_id', eb.exists(this.#waitingFor(eb)).as('session_waits')])
      .compile(),
  );

  /** The waiting sessions whose wait keys match the `webhook_inbox` row of the enclosing statement. */
  #waitingFor(eb: ExpressionBuilder<StoreTables, 'webhook_inbox'>) {
    return eb
      .selectFrom('sessions')
      .select(sql.lit(1).as('one'))
      .where((inner) => {
        // `status` in each arm: each arm is one lookup in its (key, status) index (migration 0005).
        const waiting = inner('status', '=', 'waiting');
        return inner.or([
          inner.and([inner('wait_token', '=', inner.ref('webhook_inbox.docv_transaction_token')), waiting]),
          inner.and([inner('wait_reference_id', '=', inner.ref('webhook_inbox.reference_id')), waiting]),
          inner.and([
            inner('wait_customer_user_id', '=', inner.ref('webhook_inbox.customer_user_id')),
            waiting,
          ]),
        ]);
      });
  }

  async settleDeliveries(now: number, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const result = await this.autocommit((db) =>
      db
        .updateTable('webhook_inbox')
        .set({ correlate_by: null })
        .where('seq', 'in', (eb) =>
          eb
            .selectFrom('webhook_inbox')
            .select('seq')
            .where('correlate_by', '<=', now)
            .orderBy('correlate_by')
            .limit(limit),
        )
        .where((eb) => eb.not(eb.exists(this.#waitingFor(eb))))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }

  async findDeliveries(keys: CorrelationKeys, eventTypes: readonly string[]): Promise<InboxDelivery[]> {
    const { docvTransactionToken: token, referenceId, customerUserId } = keys;
    if (token == null && referenceId == null && customerUserId == null) return [];
    if (eventTypes.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_inbox')
      .selectAll()
      .where('event_type', 'in', [...eventTypes])
      .where((eb) => {
        const any = [];
        if (token != null) any.push(eb('docv_transaction_token', '=', token));
        if (referenceId != null) any.push(eb('reference_id', '=', referenceId));
        if (customerUserId != null) any.push(eb('customer_user_id', '=', customerUserId));
        return eb.or(any);
      })
      .orderBy('seq')
      .execute();
    return rows.map((r) => toInboxDelivery(r, this.pd));
  }

  async markDeliveryCorrelated(deliveryId: string): Promise<void> {
    await this.write((trx) =>
      trx
        .updateTable('webhook_inbox')
        .set({ correlate_by: null })
        .where('delivery_id', '=', deliveryId)
        .execute(),
    );
  }

  claimUncorrelatedDeliveries(now: number, until: number, limit: number): Promise<InboxDelivery[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.write(async (trx) => {
      const due = trx
        .selectFrom('webhook_inbox')
        .select('seq')
        .where('correlate_by', '<=', now)
        .orderBy('correlate_by')
        .orderBy('seq')
        .limit(limit);
      const seqs = (await this.#skipLocked(due).execute()).map((r) => r.seq);
      if (seqs.length === 0) return [];
      const rows = await trx
        .updateTable('webhook_inbox')
        .set({ correlate_by: until })
        .where('seq', 'in', seqs)
        .where('correlate_by', '<=', now)
        .returningAll()
        .execute();
      return rows.map((r) => toInboxDelivery(r, this.pd)).sort((a, b) => a.receivedAt - b.receivedAt);
    });
  }

  // --- timeline ---

  async listTimeline(sessionId: string): Promise<TimelineEvent[]> {
    const rows = await this.db
      .selectFrom('session_timeline')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('version')
      .orderBy('idx')
      .execute();
    return rows.map((row, index) => toTimelineEvent(row, index + 1));
  }

  // --- outbound webhooks ---

  claimDueOutbound(now: number, leaseUntil: number, limit: number): Promise<OutboundWebhook[]> {
    if (limit <= 0) return Promise.resolve([]);
    return this.write(async (trx) => {
      const due = trx
        .selectFrom('outbound_webhooks')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit);
      const ids = (await this.#skipLocked(due).execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      const claimed = await trx
        .updateTable('outbound_webhooks')
        .set((eb) => ({ next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', ids)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .returningAll()
        .execute();
      const order = new Map(ids.map((id, index) => [id, index]));
      return claimed
        .map((r) => toOutboundWebhook(r, this.pd))
        .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
  }

  async recordOutboundAttempt(
    id: string,
    result: {
      status: OutboundStatus;
      nextAttemptAt: number;
      lastError: string | null;
      audit?: AuditEntry[];
    },
  ): Promise<void> {
    await this.write(async (trx) => {
      await trx
        .updateTable('outbound_webhooks')
        .set({ status: result.status, next_attempt_at: result.nextAttemptAt, last_error: result.lastError })
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, result.audit ?? [], result.nextAttemptAt);
    });
  }

  async listOutbound(sessionId: string): Promise<OutboundWebhook[]> {
    const rows = await this.db
      .selectFrom('outbound_webhooks')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => toOutboundWebhook(r, this.pd));
  }

  // --- metrics (backlog.ts) ---

  countBacklog(): Promise<BacklogCounts> {
    return countBacklog(this.db);
  }

  // --- operator console (operator-queries.ts) ---

  listDeliveries(query: Operator.DeliveryListQuery): Promise<Operator.DeliveryLogEntry[]> {
    return listDeliveries(this.db, query);
  }

  async getDelivery(deliveryId: string): Promise<InboxDelivery | undefined> {
    const row = await this.db
      .selectFrom('webhook_inbox')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirst();
    return row && toInboxDelivery(row, this.pd);
  }

  retryOutbound(id: string, now: number, audit: AuditEntry): Promise<string | undefined> {
    return this.write((trx) => retryOutbound(trx, id, now, audit));
  }

  listSessionAudit(sessionId: string, limit: number): Promise<Operator.SessionAuditEntry[]> {
    return listSessionAudit(this.db, sessionId, limit);
  }

  operatorStats(range: Operator.StatsRange, reasonCodeLimit: number): Promise<Operator.OperatorStats> {
    return operatorStats(this.db, this.dialect, range, reasonCodeLimit);
  }

  // --- personal data: erasure, retention, key rotation ---

  eraseCustomer(customerUserId: string, now: number, audit: AuditEntry): Promise<ErasureCounts> {
    return this.scrubbing(() =>
      this.write((trx, announce) =>
        eraseCustomer(trx, this.pd, this.pd.hash(customerUserId), now, audit, announce),
      ),
    );
  }

  purgePersonalData(cutoffs: RetentionCutoffs, now: number, limit: number): Promise<PurgeCounts> {
    return this.scrubbing(() => this.write((trx) => purgePersonalData(trx, this.pd, cutoffs, now, limit)));
  }

  /** Runs a removal of personal data so that the database does not keep it beyond the transaction (SQLite). */
  protected scrubbing<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** Re-seals up to `limit` records not under the ring's current key; see `keys rotate`. */
  rotateKeys(limit: number): Promise<RotationProgress> {
    return this.write((trx) => resealBatch(trx, this.pd, limit));
  }

  countRecordsToRotate(): Promise<number> {
    return countToReseal(this.db, this.pd);
  }

  // --- scheduled jobs ---

  async claimJob(name: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.write(async (trx) => {
      await trx
        .insertInto('jobs')
        .values({ name, owner: null, lease_until: 0, last_run_at: null })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const claimed = await trx
        .updateTable('jobs')
        .set({ owner, lease_until: until, last_run_at: now })
        .where('name', '=', name)
        .where('lease_until', '<=', now)
        .executeTakeFirst();
      return (claimed.numUpdatedRows ?? 0n) > 0n;
    });
  }

  // --- audit trail ---

  appendAudit(entries: AuditEntry[], now: number): Promise<void> {
    return this.write((trx) => appendAudit(trx, entries, now));
  }

  async chainAudit(limit: number): Promise<number> {
    // A read first: most ticks find nothing to chain and need no write transaction (no fsync on SQLite).
    const pending = await this.db
      .selectFrom('audit_log')
      .select('id')
      .where('seq', 'is', null)
      .limit(1)
      .execute();
    if (pending.length === 0) return 0;
    return this.write((trx) => chainAudit(trx, this.dialect, limit));
  }

  listAudit(query: AuditListQuery): Promise<AuditRecord[]> {
    return listAudit(this.db, query);
  }

  // --- settings ---

  async getOrCreateSetting(name: string, create: () => string): Promise<string> {
    const existing = await this.#readSetting(name);
    if (existing !== undefined) return existing;
    const value = create();
    // Insert if absent, then read: when two instances race, both return the value that was committed first.
    await this.write((trx) =>
      trx
        .insertInto('settings')
        .values({ name, value })
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
    const stored = await this.#readSetting(name);
    if (stored === undefined) throw new Error(`setting ${name} vanished after insert`);
    return stored;
  }

  async #readSetting(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.value;
  }
}

/** Timeline entries of one commit: keyed by the session version it wrote, so no `max(seq) + 1` is needed. */
async function insertTimeline(
  trx: Trx,
  sessionId: string,
  version: number,
  entries: readonly TimelineEntry[],
  now: number,
): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('session_timeline')
    .values(
      entries.map((entry, idx) => ({
        session_id: sessionId,
        version,
        idx,
        at: now,
        type: entry.type,
        detail: toJson(entry.detail),
      })),
    )
    .execute();
}
