import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { backoffMs } from '../../shared/backoff.js';
import type { DeliveryKnobs } from '../docv/types.js';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.js';
import { combineKnobs } from './knobs.js';
import { buildWebhookBody, type DocvEventRecord, type DocvWebhookBody } from './payload.js';
import { type AttemptResult, postWebhook } from './post.js';
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

interface Job {
  subscriptionId: string;
  body: DocvWebhookBody;
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
    if (!first || this.#closed) return;
    for (const sub of this.o.subscriptions.list(first.environment)) {
      const knobs = combineKnobs(sub.knobs, transactionKnobs);
      const ordered = knobs.outOfOrder ? reorder(events) : events;
      const key = `${sub.id}\u0000${first.referenceId}`;
      const lane = this.#lanes.get(key) ?? [];
      for (const event of ordered) {
        if (this.#queued >= MAX_QUEUED_DELIVERIES) {
          this.o.logLine?.(
            `webhook ${event.eventType} → ${where(sub.url)} dropped: ${MAX_QUEUED_DELIVERIES} deliveries already queued`,
          );
          continue;
        }
        const job: Job = {
          subscriptionId: sub.id,
          body: buildWebhookBody(event, randomUUID()),
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
    const body = buildWebhookBody(
      {
        eventType: 'WAITING_FOR_USER_TO_REDIRECT',
        environment: sub.environment,
        referenceId,
        created: new Date().toISOString(),
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
    body: DocvWebhookBody,
    attempt: number,
    status: DeliveryAttempt['status'],
    result: AttemptResult,
    nextAttemptInMs?: number,
  ): void {
    const entry: DeliveryAttempt = {
      deliveryId: body.id,
      eventType: body.event.eventType,
      referenceId: body.event.referenceId,
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
      `webhook ${body.event.eventType} → ${where(sub.url)} ${answer} (${status}, attempt ${attempt}/${MAX_DELIVERY_ATTEMPTS})`,
    );
  }

  #post(sub: WebhookSubscription, body: DocvWebhookBody): Promise<AttemptResult> {
    return postWebhook(this.#agent, sub, body, this.o);
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

function reorder(events: DocvEventRecord[]): DocvEventRecord[] {
  const head = events.filter((e) => OUT_OF_ORDER_RANK[e.eventType] === undefined);
  const tail = events
    .filter((e) => OUT_OF_ORDER_RANK[e.eventType] !== undefined)
    .sort((a, b) => OUT_OF_ORDER_RANK[a.eventType]! - OUT_OF_ORDER_RANK[b.eventType]!);
  return [...head, ...tail];
}
