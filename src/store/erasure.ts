/**
 * Erasure on request (GDPR/CCPA): every personal field held for one person, found by the keyed hash of their
 * customer user id, removed in one transaction. Sessions keep their non-personal record; unfinished ones end
 * (as failed) so nothing resumes them; their deliveries are deleted and their callbacks emptied.
 */
import { appendAudit } from './audit-log.js';
import { nonPersonalRecord } from './non-personal-record.js';
import type { PersonalData } from './personal-data.js';
import type { Announce, Trx } from './sql-store.js';
import type { AuditEntry, ErasureCounts, SessionData, SessionStatus } from './types.js';

export async function eraseCustomer(
  trx: Trx,
  pd: PersonalData,
  customerHash: string,
  now: number,
  audit: AuditEntry,
  announce: Announce,
): Promise<ErasureCounts> {
  const sessions = await trx
    .selectFrom('sessions')
    .select(['id', 'status'])
    .where((eb) =>
      eb.or([eb('customer_user_hash', '=', customerHash), eb('wait_customer_user_id', '=', customerHash)]),
    )
    .execute();
  const ids = sessions.map((s) => s.id);
  for (const { id, status } of sessions) {
    await removeSessionData(trx, pd, id, 'erasure');
    const ended = status === 'completed';
    const row = await trx
      .updateTable('sessions')
      .set((eb) => ({
        customer_user_id: null,
        customer_user_hash: null,
        return_url: null,
        purged_at: now,
        version: eb('version', '+', 1),
        updated_at: now,
        ...(ended
          ? {}
          : {
              status: 'completed',
              outcome: 'failed',
              wake_at: null,
              wait_token: null,
              wait_reference_id: null,
              wait_customer_user_id: null,
              wait_events: null,
              lease_owner: null,
              lease_until: null,
            }),
      }))
      .where('id', '=', id)
      .returning(['version', 'status'])
      .executeTakeFirstOrThrow();
    await announce({ id, version: Number(row.version), status: row.status as SessionStatus });
  }
  const deliveries = await trx
    .deleteFrom('webhook_inbox')
    .where((eb) => {
      const any = [eb('customer_user_id', '=', customerHash)];
      if (ids.length > 0) any.push(eb('consumed_by', 'in', ids));
      return eb.or(any);
    })
    .executeTakeFirst();
  let callbacks = 0;
  if (ids.length > 0) {
    const emptied = await trx
      .updateTable('outbound_webhooks')
      .set((eb) => ({
        body: '',
        // A callback not sent yet would carry the person's result: it is not sent.
        status: eb.case().when('status', '=', 'pending').then('failed').else(eb.ref('status')).end(),
        last_error: eb
          .case()
          .when('status', '=', 'pending')
          .then('not sent: the customer was erased')
          .else(eb.ref('last_error'))
          .end(),
      }))
      .where('session_id', 'in', ids)
      .executeTakeFirst();
    callbacks = Number(emptied.numUpdatedRows);
  }
  const counts = { sessions: ids.length, deliveries: Number(deliveries.numDeletedRows), callbacks };
  await appendAudit(trx, [{ ...audit, detail: { ...audit.detail, ...counts } }], now);
  return counts;
}

/** Replaces a session's input, outputs and result with its non-personal record. */
export async function removeSessionData(
  trx: Trx,
  pd: PersonalData,
  id: string,
  reason: 'retention' | 'erasure',
): Promise<void> {
  const row = await trx
    .selectFrom('session_data')
    .selectAll()
    .where('session_id', '=', id)
    .executeTakeFirst();
  if (!row) return;
  const data: Pick<SessionData, 'outputs' | 'result'> = {
    outputs: pd.openJson('session_data.outputs', id, row.outputs),
    result: row.result === null ? null : pd.openJson('session_data.result', id, row.result),
  };
  const record = { ...nonPersonalRecord(data), personalDataRemoved: reason };
  await trx
    .updateTable('session_data')
    .set({
      input: pd.sealJson('session_data.input', id, {}),
      outputs: pd.sealJson('session_data.outputs', id, {}),
      result: pd.sealJson('session_data.result', id, record),
    })
    .where('session_id', '=', id)
    .execute();
}
