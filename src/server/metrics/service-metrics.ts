import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SocureCall } from '../../socure/call-log.js';
import type { BacklogCounts } from '../../store/backlog.js';
import type { NewSession, SessionRow, StepCommit } from '../../store/types.js';
import { eventTypeLabel, socureEndpointLabel, socureErrorKind, statusLabel } from './labels.js';
import type { StoreTimingObserver } from './store-timing.js';

const PREFIX = 'socure_connector_';

/** Why a Socure delivery was not committed: a WebhookError reason, or `unknown_path` (not our secret path). */
export type WebhookRefusal = string;

/** Reads the database's work in progress at scrape time (Store.countBacklog). */
export type BacklogSource = () => Promise<BacklogCounts>;

/**
 * The service's Prometheus metrics, in a registry of its own (several services in one process, as tests run
 * them, never share a series). Events are counted as they happen; the database's backlog (waiting sessions,
 * the inbox, callbacks) and the open event streams are read when scraped. Labels never carry an id or a
 * personal value: routes are patterns, endpoints are patterns, event types are Socure's documented ones.
 */
export class ServiceMetrics implements StoreTimingObserver {
  readonly registry = new Registry();
  #backlog: BacklogSource | undefined;
  #sseStreams: (() => number) | undefined;

  readonly #http = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests served, by route pattern, method and status (event streams are not included)',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** One child per route × method × status: the hot path skips prom-client's label hashing. */
  readonly #httpChildren = new Map<string, { observe(v: number): void }>();

  readonly #socureCalls = new Counter({
    name: `${PREFIX}socure_requests_total`,
    help: 'Requests to Socure (after retries), by endpoint pattern, method, HTTP status (none: no answer) and error kind',
    labelNames: ['endpoint', 'method', 'status', 'error'],
    registers: [this.registry],
  });
  readonly #socureLatency = new Histogram({
    name: `${PREFIX}socure_request_duration_seconds`,
    help: 'Time a request to Socure took, retries and their waits included, by endpoint pattern and method',
    labelNames: ['endpoint', 'method'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40],
    registers: [this.registry],
  });
  readonly #socureRetries = new Counter({
    name: `${PREFIX}socure_retries_total`,
    help: 'Attempts beyond the first made for requests to Socure that got an answer, by endpoint pattern and method',
    labelNames: ['endpoint', 'method'],
    registers: [this.registry],
  });

  readonly #webhooks = new Counter({
    name: `${PREFIX}webhook_deliveries_total`,
    help: 'Socure webhook deliveries received, by event type, result (inserted, duplicate, refused) and refusal reason',
    labelNames: ['event_type', 'result', 'reason'],
    registers: [this.registry],
  });

  readonly #started = new Counter({
    name: `${PREFIX}sessions_started_total`,
    help: 'Sessions started, by flow',
    labelNames: ['flow'],
    registers: [this.registry],
  });
  readonly #ended = new Counter({
    name: `${PREFIX}sessions_ended_total`,
    help: 'Sessions ended, by flow and outcome',
    labelNames: ['flow', 'outcome'],
    registers: [this.registry],
  });
  readonly #waits = new Histogram({
    name: `${PREFIX}wait_duration_seconds`,
    help: 'Time a session waited on a Socure challenge (parked until a webhook or its timeout resolved it), by flow and what resolved it',
    labelNames: ['flow', 'resolved_by'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 86400],
    registers: [this.registry],
  });

  readonly #callbacks = new Counter({
    name: `${PREFIX}callback_attempts_total`,
    help: 'Attempts to deliver the app webhook (session.completed), by result: delivered, retrying, failed (given up)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  readonly #storeLatency = new Histogram({
    name: `${PREFIX}store_query_duration_seconds`,
    help: 'Time a store call took (one or a few SQL statements), by store method',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly #storeChildren = new Map<string, { observe(v: number): void }>();

  readonly #sessionsOpen = new Gauge({
    name: `${PREFIX}sessions_in_progress`,
    help: 'Unfinished sessions in the database by status (waiting: parked on a Socure challenge), read at scrape time',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #inbox = new Gauge({
    name: `${PREFIX}inbox_backlog`,
    help: 'Socure deliveries in the inbox no session consumed (unconsumed), and those whose correlation is still due (uncorrelated), read at scrape time',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly #callbacksOpen = new Gauge({
    name: `${PREFIX}callbacks`,
    help: 'App webhooks (session.completed) still to send (pending) and given up on (failed), read at scrape time',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #sse: Gauge = new Gauge({
    name: `${PREFIX}sse_connections`,
    help: 'Open waiting-page event streams on this instance',
    registers: [this.registry],
    collect: () => this.#sse.set(this.#sseStreams?.() ?? 0),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the scrape reads the database's backlog from (the store, once it is open). */
  readBacklogFrom(source: BacklogSource): void {
    this.#backlog = source;
  }

  /** Where the scrape reads the open event streams from (the SSE hub, once the routes made it). */
  countSseStreamsWith(size: () => number): void {
    this.#sseStreams = size;
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.#httpChildren.get(key);
    if (child === undefined) {
      child = this.#http.labels({ route, method, status: String(status) });
      this.#httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** A request to Socure is over (the transport's onCall). */
  readonly socureCall = (call: SocureCall, error?: unknown): void => {
    const endpoint = socureEndpointLabel(call.endpoint);
    const method = call.method;
    this.#socureCalls.inc({
      endpoint,
      method,
      status: statusLabel(call.status),
      error: socureErrorKind(call, error),
    });
    this.#socureLatency.observe({ endpoint, method }, call.durationMs / 1000);
    if (call.attempts !== null && call.attempts > 1)
      this.#socureRetries.inc({ endpoint, method }, call.attempts - 1);
  };

  webhookCommitted(eventType: string, result: 'inserted' | 'duplicate'): void {
    this.#webhooks.inc({ event_type: eventTypeLabel(eventType), result, reason: 'none' });
  }

  webhookRefused(reason: WebhookRefusal): void {
    this.#webhooks.inc({ event_type: 'unknown', result: 'refused', reason });
  }

  /** The engine resolved a wait (EngineOptions.onWaitResolved). */
  readonly waitResolved = (flowId: string, waitedMs: number, by: 'webhook' | 'timeout'): void => {
    this.#waits.observe({ flow: flowId, resolved_by: by }, Math.max(0, waitedMs) / 1000);
  };

  /** An app webhook attempt was recorded (AppWebhookOptions.onAttempt). */
  readonly callbackAttempt = (result: 'delivered' | 'retrying' | 'failed'): void => {
    this.#callbacks.inc({ result });
  };

  storeCall(method: string, seconds: number): void {
    let child = this.#storeChildren.get(method);
    if (child === undefined) {
      child = this.#storeLatency.labels({ method });
      this.#storeChildren.set(method, child);
    }
    child.observe(seconds);
  }

  /** Sessions started and ended, read off the store's commits: every path that starts or ends one goes there. */
  storeResult(method: string, args: readonly unknown[], result: unknown): void {
    if (method === 'createSession') {
      this.#started.inc({ flow: (args[0] as NewSession).flowId });
    } else if (method === 'commitStep' && result !== undefined) {
      const step = args[0] as StepCommit;
      const row = result as SessionRow;
      if (step.patch.status === 'completed')
        this.#ended.inc({ flow: row.flowId, outcome: row.outcome ?? 'none' });
    }
  }

  /** The Prometheus text exposition: the backlog read now, then every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    if (this.#backlog) {
      const counts = await this.#backlog();
      for (const status of ['running', 'input', 'waiting'] as const)
        this.#sessionsOpen.set({ status }, counts.sessions[status]);
      this.#inbox.set({ state: 'unconsumed' }, counts.inboxUnconsumed);
      this.#inbox.set({ state: 'uncorrelated' }, counts.inboxUncorrelated);
      this.#callbacksOpen.set({ status: 'pending' }, counts.callbacksPending);
      this.#callbacksOpen.set({ status: 'failed' }, counts.callbacksFailed);
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
