/**
 * Replays a delivery of the inbox: runs its correlation again, exactly as the receiving instance or the sweep
 * would (`engine.correlate`). A session waiting on its keys takes it under that session's lease and version, and
 * the delivery is consumed in the same commit, so a replay racing a live correlation cannot resume a session
 * twice; a delivery already consumed is not replayed.
 */
import { parseDelivery } from '../../webhooks/index.js';
import type { ServerDeps } from '../deps.js';

export type ReplayOutcome =
  | { status: 'not_found' }
  | { status: 'consumed' | 'already_consumed' | 'unmatched' | 'unreadable'; message: string };

export async function replayDelivery(
  deps: Pick<ServerDeps, 'store' | 'engine'>,
  deliveryId: string,
  actor: string,
): Promise<ReplayOutcome> {
  const { store, engine } = deps;
  const delivery = await store.getDelivery(deliveryId);
  if (!delivery) return { status: 'not_found' };
  if (delivery.consumedBy !== null)
    return {
      status: 'already_consumed',
      message: `Delivery ${deliveryId} was already consumed by session ${delivery.consumedBy}; nothing to replay.`,
    };
  let parsed: ReturnType<typeof parseDelivery>;
  try {
    parsed = parseDelivery(delivery.payload, delivery.authenticated);
  } catch (err) {
    return {
      status: 'unreadable',
      message: `Delivery ${deliveryId} cannot be read as a Socure delivery (${(err as Error).message}).`,
    };
  }
  await engine.correlate(parsed);
  const after = await store.getDelivery(deliveryId);
  const consumedBy = after?.consumedBy ?? null;
  await store.appendAudit(
    [{ type: 'delivery.replayed', actor, detail: { deliveryId, eventType: delivery.eventType, consumedBy } }],
    Date.now(),
  );
  return consumedBy
    ? {
        status: 'consumed',
        message: `Replayed delivery ${deliveryId}: session ${consumedBy} took it.`,
      }
    : {
        status: 'unmatched',
        message: `Replayed delivery ${deliveryId}: no session waits for it (its keys and event type match no open challenge).`,
      };
}
