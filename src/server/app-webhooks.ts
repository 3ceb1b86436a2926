import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { backoffMs } from '../shared/backoff.js';
import { undiciRequest } from '../shared/undici-request.js';
import type { NewOutbound, SessionRow, Store } from '../store/types.js';

/** A new Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function generateAppWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Standard Webhooks signature (https://www.standardwebhooks.com): v1,base64(HMAC-SHA256(key, id.ts.body)). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export interface AppWebhookOptions {
  store: Store;
  url: string;
  secret: string;
  /** First retry delay; each retry waits 4× longer, capped at 10 h. Default 5 s. */
  retryBaseMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  now?: () => number;
  log?: { warn(obj: object, msg?: string): void };
  /** Told of each attempt's result once recorded: delivered, to be retried, or failed for good (metrics). */
  onAttempt?: (result: 'delivered' | 'retrying' | 'failed') => void;
}

/**
 * Tells the embedding app that a session ended: committed with the session's end (an outbox), then sent
 * with Standard Webhooks headers and retried with backoff until a 2xx or out of attempts.
 */
export class AppWebhookDispatcher {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly o: AppWebhookOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The `session.completed` callback of an ended session: the engine commits it with the session's end. */
  build(session: SessionRow, result: Record<string, unknown>): NewOutbound {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({
      type: 'session.completed',
      timestamp: new Date(this.now()).toISOString(),
      data: {
        id: session.id,
        flow: session.flowId,
        status: session.status,
        outcome: session.outcome,
        customerUserId: session.customerUserId,
        result,
      },
    });
    return { id, sessionId: session.id, url: this.o.url, body, nextAttemptAt: this.now() };
  }

  /** A callback was committed: send it now rather than at the next poll. */
  queued(): void {
    void this.drain();
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.drain(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sends every due webhook once; safe to call concurrently and from several instances. */
  async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const timeoutMs = this.o.timeoutMs ?? 10_000;
      const due = await this.o.store.claimDueOutbound(this.now(), this.now() + timeoutMs * 2, 20);
      await Promise.all(due.map((w) => this.send(w.id, w.url, w.body, w.attempts, timeoutMs)));
    } catch (err) {
      // drain() runs from a timer and `void` calls: a store error here must be logged, not become an
      // unhandled rejection that kills the process. The rows stay pending and are retried.
      this.o.log?.warn({ error: (err as Error).message }, 'app webhook outbox failed');
    } finally {
      this.busy = false;
    }
  }

  private async send(
    id: string,
    url: string,
    body: string,
    attempts: number,
    timeoutMs: number,
  ): Promise<void> {
    const timestamp = Math.floor(this.now() / 1000);
    let error: string | null = null;
    try {
      const request = await undiciRequest();
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(this.o.secret, id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await this.o.store.recordOutboundAttempt(id, {
          status: 'delivered',
          nextAttemptAt: this.now(),
          lastError: null,
          audit: [
            {
              type: 'callback.delivered',
              actor: 'engine',
              detail: { callbackId: id, httpStatus: res.statusCode, attempts },
            },
          ],
        });
        this.o.onAttempt?.('delivered');
        return;
      }
      error = `HTTP ${res.statusCode}`;
    } catch (err) {
      error = (err as { code?: string }).code ?? (err as Error).name;
    }
    const max = this.o.maxAttempts ?? 8;
    // The documented schedule (5 s, ×4 each time), exact: no jitter.
    const delay = backoffMs(
      { baseMs: this.o.retryBaseMs ?? 5_000, factor: 4, maxMs: 10 * 3_600_000, jitter: false },
      attempts - 1,
    );
    const gaveUp = attempts >= max;
    this.o.log?.warn({ webhookId: id, attempts, error, gaveUp }, 'app webhook delivery failed');
    await this.o.store.recordOutboundAttempt(id, {
      status: gaveUp ? 'failed' : 'pending',
      nextAttemptAt: this.now() + delay,
      lastError: error,
      audit: gaveUp
        ? [{ type: 'callback.failed', actor: 'engine', detail: { callbackId: id, attempts, error } }]
        : [],
    });
    this.o.onAttempt?.(gaveUp ? 'failed' : 'retrying');
  }
}
