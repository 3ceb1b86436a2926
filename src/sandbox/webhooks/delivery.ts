import { randomUUID } from 'node:crypto';
import { backoffMs } from '../../shared/backoff.js';
import { Agent } from '../../shared/undici-agent.js';
import type { DeliveryKnobs } from '../docv/types.js';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.js';
import { combineKnobs } from './knobs.js';
import { buildWebhookBody, type DocvEventRecord } from './payload.js';
import { type AttemptResult, postWebhook } from './post.js';
import { buildRiskOsWebhookBody, type RiskOsEventRecord } from './riskos-payload.js';
import type { SubscriptionStore, WebhookSubscription } from './subscriptions.js';

export const MAX_DELIVERY_ATTEMPTS = 8;
/** Deliveries waiting at once; past this new ones are dropped (and logged) so a dead receiver cannot exhaust memory. */
export const MAX_QUEUED_DELIVERIES = 50_000;
export const DEFAULT_RETRY_BASE_MS = 1000;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** Wait after failed attempt n (1-based): base·2^(n-1) → 1 s, 2 s, 4 s … 64 s with the default base. */
export const retryDelayMs = (baseMs: number, failedAttempt: number) =>
  backoffMs({ baseMs, maxMs: Number.POSITIVE_INFINITY, jitter: false }, failedAttempt - 1);

export interface DeliveryQueueOptions {
  subscriptions: SubscriptionStore;
  log: DeliveryLog;
  authScheme: 'bare' | 'bearer';
  retryBaseMs: number;
  timeoutMs: number;
  logLine?: (line: string) => void;
}

/** A body to post, with what the log says of it. */
interface Outgoing {
  id: string;
  eventType: string;
  referenceId: string;
  body: object;
}

interface Job {
  subscriptionId: string;
  body: Outgoing;
  /** Real-time ms before which the first attempt must not start (the `delayMs` knob). */
  notBefore: number;
}

// The final three events, in the order out-of-order mode sends them.
const OUT_OF_ORDER_RANK: Record<string, number> = {
  SESSION_COMPLETE: 0,
  VERIFICATION_COMPLETED: 1,
  DOCUMENTS_UPLOADED: 2,
};

/** Where a delivery went, for log lines: no query, which may carry tokens. */
const where = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(bad url)';
  }
};

/**
 * At-least-once webhook delivery. Each subscription × transaction is a lane worked one delivery at a
 * time, so a transaction's events arrive in order; a failed delivery (non-2xx, connection error,
 * timeout) is retried with exponential backoff and holds its lane until it succeeds or is given up.
 */
export class DeliveryQueue {
  readonly #lanes = new Map<string, Job[]>();
  readonly #waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  readonly #agent = new Agent({ keepAliveTimeout: 2_000, keepAliveMaxTimeout: 2_000 });
  #closed = false;
  #queued = 0;

  constructor(private readonly o: DeliveryQueueOptions) {}

  /** Queues a batch of one transaction's events for every subscription of its environment. */
  enqueue(events: DocvEventRecord[], transactionKnobs: DeliveryKnobs): void {
    const first = events[0];
    if (!first) return;
    this.#enqueue(
      this.o.subscriptions.list(first.environment, 'Document Verification'),
      first.referenceId,
      transactionKnobs,
      (knobs) =>
        (knobs.outOfOrder ? reorder(events) : events).map((event) => () => docvOutgoing(event, randomUUID())),
    );
  }

  /**
   * Queues a batch of one evaluation's RiskOS events for the RiskOS subscriptions of its environment: the same
   * lanes, retries, secret and knobs as DocV (out-of-order does not apply).
   */
  enqueueRiskOs(events: RiskOsEventRecord[], knobs: DeliveryKnobs): void {
    const first = events[0];
    if (!first) return;
    this.#enqueue(this.o.subscriptions.list(first.environment, 'RiskOS'), first.evalId, knobs, () =>
      events.map((event) => () => riskOsOutgoing(event, randomUUID())),
    );
  }

  #enqueue(
    subscriptions: WebhookSubscription[],
    laneId: string,
    ownKnobs: DeliveryKnobs,
    build: (knobs: DeliveryKnobs) => Array<() => Outgoing>,
  ): void {
    if (this.#closed) return;
    for (const sub of subscriptions) {
      const knobs = combineKnobs(sub.knobs, ownKnobs);
      const key = `${sub.id}\u0000${laneId}`;
      const lane = this.#lanes.get(key) ?? [];
      for (const make of build(knobs)) {
        if (this.#queued >= MAX_QUEUED_DELIVERIES) {
          this.o.logLine?.(
            `webhook → ${where(sub.url)} dropped: ${MAX_QUEUED_DELIVERIES} deliveries already queued`,
          );
          continue;
        }
        const job: Job = {
          subscriptionId: sub.id,
          body: make(),
          notBefore: Date.now() + knobs.delayMs,
        };
        lane.push(job);
        if (knobs.duplicate) lane.push({ ...job }); // same body, same id: what a receiver must dedupe
        this.#queued += knobs.duplicate ? 2 : 1;
      }
      if (lane.length > 0 && !this.#lanes.has(key)) {
        this.#lanes.set(key, lane);
        void this.#work(key, lane);
      }
    }
  }

  /** The seed's **Test** button: one attempt with a test event, no retries; the receiver's answer. */
  async test(sub: WebhookSubscription): Promise<AttemptResult & { deliveryId: string; referenceId: string }> {
    const referenceId = `test-${randomUUID()}`;
    const created = new Date().toISOString();
    const body =
      sub.subscriptionType === 'RiskOS'
        ? riskOsOutgoing(
            {
              eventType: 'webhook_test',
              environment: sub.environment,
              evalId: referenceId,
              at: created,
              data: { eval_id: referenceId },
            },
            randomUUID(),
          )
        : docvOutgoing(
            {
              eventType: 'WAITING_FOR_USER_TO_REDIRECT',
              environment: sub.environment,
              referenceId,
              created,
              data: {},
            },
            randomUUID(),
          );
    const result = await this.#post(sub, body);
    this.#record(sub, body, 1, result.ok ? 'test_ok' : 'test_failed', result);
    return { ...result, deliveryId: body.id, referenceId };
  }

  /** Deliveries still waiting or in flight. */
  get pending(): number {
    return this.#queued;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.#waits.clear();
    this.#lanes.clear();
    this.#queued = 0;
    await this.#agent.destroy();
  }

  async #work(key: string, lane: Job[]): Promise<void> {
    try {
      while (lane.length > 0 && !this.#closed) {
        const job = lane[0]!;
        await this.#wait(job.notBefore - Date.now());
        try {
          await this.#deliver(job);
        } catch {
          // Only a throwing log callback can get here; it must not stall the lane.
        }
        lane.shift();
        this.#queued--;
      }
    } finally {
      this.#lanes.delete(key);
    }
  }

  async #deliver(job: Job): Promise<void> {
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS && !this.#closed; attempt++) {
      const sub = this.o.subscriptions.get(job.subscriptionId);
      if (!sub) return; // deleted meanwhile: nobody to deliver to
      const result = await this.#post(sub, job.body);
      if (this.#closed) return;
      if (result.ok) {
        this.#record(sub, job.body, attempt, 'delivered', result);
        return;
      }
      if (attempt === MAX_DELIVERY_ATTEMPTS) {
        this.#record(sub, job.body, attempt, 'given_up', result);
        return;
      }
      const delay = retryDelayMs(this.o.retryBaseMs, attempt);
      this.#record(sub, job.body, attempt, 'retrying', result, delay);
      await this.#wait(delay);
    }
  }

  #record(
    sub: WebhookSubscription,
    body: Outgoing,
    attempt: number,
    status: DeliveryAttempt['status'],
    result: AttemptResult,
    nextAttemptInMs?: number,
  ): void {
    const entry: DeliveryAttempt = {
      deliveryId: body.id,
      eventType: body.eventType,
      referenceId: body.referenceId,
      attempt,
      at: new Date().toISOString(),
      status,
      durationMs: result.durationMs,
      ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(nextAttemptInMs === undefined ? {} : { nextAttemptInMs }),
    };
    this.o.log.record(sub.id, entry);
    const answer = result.statusCode ?? result.error;
    this.o.logLine?.(
      `webhook ${body.eventType} → ${where(sub.url)} ${answer} (${status}, attempt ${attempt}/${MAX_DELIVERY_ATTEMPTS})`,
    );
  }

  #post(sub: WebhookSubscription, body: Outgoing): Promise<AttemptResult> {
    return postWebhook(this.#agent, sub, body.body, this.o);
  }

  /** A sleep that close() cuts short, so shutting down never waits for a backoff. */
  #wait(ms: number): Promise<void> {
    if (ms <= 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        timer: setTimeout(() => {
          this.#waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      w.timer.unref();
      this.#waits.add(w);
    });
  }
}

function docvOutgoing(event: DocvEventRecord, id: string): Outgoing {
  return {
    id,
    eventType: event.eventType,
    referenceId: event.referenceId,
    body: buildWebhookBody(event, id),
  };
}

function riskOsOutgoing(event: RiskOsEventRecord, id: string): Outgoing {
  return {
    id,
    eventType: event.eventType,
    referenceId: event.evalId,
    body: buildRiskOsWebhookBody(event, id),
  };
}

function reorder(events: DocvEventRecord[]): DocvEventRecord[] {
  const head = events.filter((e) => OUT_OF_ORDER_RANK[e.eventType] === undefined);
  const tail = events
    .filter((e) => OUT_OF_ORDER_RANK[e.eventType] !== undefined)
    .sort((a, b) => OUT_OF_ORDER_RANK[a.eventType]! - OUT_OF_ORDER_RANK[b.eventType]!);
  return [...head, ...tail];
}
