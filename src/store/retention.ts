/**
 * Retention: personal data past its time is purged in batches. Ended sessions keep their non-personal record
 * (flow, outcome, timestamps, reference ids, reason codes, decision); deliveries are deleted; finished callbacks
 * keep their attempts but not their body.
 */
import { removeSessionData } from './erasure.js';
import type { PersonalData } from './personal-data.js';
import type { Trx } from './sql-store.js';
import type { PurgeCounts, RetentionCutoffs } from './types.js';

export async function purgePersonalData(
  trx: Trx,
  pd: PersonalData,
  cutoffs: RetentionCutoffs,
  now: number,
  limit: number,
): Promise<PurgeCounts> {
  const ended = await trx
    .selectFrom('sessions')
    .select('id')
    .where('status', '=', 'completed')
    .where('purged_at', 'is', null)
    .where('updated_at', '<', cutoffs.endedBefore)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  for (const { id } of ended) {
    await removeSessionData(trx, pd, id, 'retention');
    await trx
      .updateTable('sessions')
      .set({ customer_user_id: null, customer_user_hash: null, return_url: null, purged_at: now })
      .where('id', '=', id)
      .execute();
  }
  const deliveries = await trx
    .deleteFrom('webhook_inbox')
    .where('seq', 'in', (eb) =>
      eb
        .selectFrom('webhook_inbox')
        .select('seq')
        .where((w) =>
          w.or([
            w.and([w('consumed_by', 'is not', null), w('received_at', '<', cutoffs.endedBefore)]),
            w.and([
              w('consumed_by', 'is', null),
              w('correlate_by', 'is', null),
              w('received_at', '<', cutoffs.unmatchedBefore),
            ]),
          ]),
        )
        .orderBy('seq')
        .limit(limit),
    )
    .executeTakeFirst();
  const callbacks = await trx
    .updateTable('outbound_webhooks')
    .set({ body: '' })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbound_webhooks')
        .select('id')
        .where('status', 'in', ['delivered', 'failed'])
        .where('body', '!=', '')
        .where('next_attempt_at', '<', cutoffs.endedBefore)
        .limit(limit),
    )
    .executeTakeFirst();
  return {
    sessions: ended.length,
    deliveries: Number(deliveries.numDeletedRows),
    callbacks: Number(callbacks.numUpdatedRows),
  };
}
