/** One attempt to deliver one event to one subscription, as the admin shows it. */
export interface DeliveryAttempt {
  deliveryId: string;
  /** A DocV event type, or a RiskOS one (then `referenceId` is the eval_id). */
  eventType: string;
  referenceId: string;
  attempt: number;
  /** Real time (retries are scheduled in real time, not on the sandbox clock). */
  at: string;
  /** `retrying`: failed, another attempt is scheduled; `given_up`: the last attempt failed. */
  status: 'delivered' | 'retrying' | 'given_up' | 'test_ok' | 'test_failed';
  statusCode?: number;
  error?: string;
  durationMs: number;
  nextAttemptInMs?: number;
}

const PER_SUBSCRIPTION = 500;

/** Recent attempts per subscription, bounded. */
export class DeliveryLog {
  readonly #entries = new Map<string, DeliveryAttempt[]>();

  record(subscriptionId: string, entry: DeliveryAttempt): void {
    const list = this.#entries.get(subscriptionId) ?? [];
    list.push(entry);
    if (list.length > PER_SUBSCRIPTION) list.shift();
    this.#entries.set(subscriptionId, list);
  }

  /** Newest first. */
  list(subscriptionId: string): DeliveryAttempt[] {
    return [...(this.#entries.get(subscriptionId) ?? [])].reverse();
  }

  forget(subscriptionId: string): void {
    this.#entries.delete(subscriptionId);
  }
}
