import { randomUUID } from 'node:crypto';
import { toWebhookOutput } from '../connector/capabilities/wait-for-result.js';
import { backoffMs } from '../shared/backoff.js';
import type { SocureCall } from '../socure/call-log.js';
import { nonPersonalRecord } from '../store/non-personal-record.js';
import type {
  AuditEntry,
  CorrelationKeys,
  DeliveryReceipt,
  InboxDelivery,
  SessionData,
  SessionPatch,
  SessionRow,
  Store,
  TimelineEntry,
} from '../store/types.js';
import { parseDelivery, type SocureWebhookDelivery } from '../webhooks/index.js';
import { chooseBranch } from './conditions.js';
import type { Flow, FlowNode, NodeOf } from './definition.js';
import {
  type CancelResult,
  type EngineOptions,
  type ResendOutcome,
  type StartSession,
  UnknownFlowError,
} from './engine-options.js';
import { type FieldError, formDefaults, validateForm } from './form.js';
import { resolveDeep, resolveString, type Scope } from './references.js';
import { checkResend, phoneFieldOf, resendStateKey, resendStateOf, withNewPhone } from './resend.js';
import { describeStepError } from './step-errors.js';
import { CLEAR_WAIT, keysMatch, resolvingEvents } from './wait-match.js';

/** How a session ends: the operator detail, the step that led here, and what the audit records. */
interface FinishOptions {
  /** Operator detail for the timeline (e.g. the technical cause of a failure). */
  detail?: Record<string, unknown>;
  /** The step that led here, committed with the end: its output, the end node and their timeline entries. */
  via?: { nodeId: string; output: { nodeId: string; value: unknown }; timeline: TimelineEntry[] };
  /** The node outputs the decision is read from (read from the store when not given). */
  outputs?: Record<string, unknown>;
  /** Audit entries of the step that ends it (its Socure calls). */
  audit?: AuditEntry[];
  /**
   * Who ended it when not the flow (a cancel by the app): the timeline entry is then `cancelled` and the audit
   * entry `session.cancelled`, both naming this actor, instead of `completed` and `session.decided`.
   */
  cancelledBy?: string;
}

/** The audit entries of a step's Socure calls: endpoint, status, reference id (no body, no personal data). */
function callEntries(sessionId: string, calls: readonly SocureCall[]): AuditEntry[] {
  return calls.map((call) => ({ type: 'socure.call', actor: 'engine', detail: { sessionId, ...call } }));
}

/** The node outputs of a scope, without the person's input and the session's own fields. */
function outputsOf(scope: Scope): Record<string, unknown> {
  const { input: _input, session: _session, ...outputs } = scope;
  return outputs;
}

/** A failed step's durable retries: when the next is due, and since when it has been failing. */
interface StepRetry {
  since: number;
  attempts: number;
  at: number;
}
/** Default retry window of a result fetch (a capability step right after a wait): the capture is done. */
const RESULT_FETCH_RETRY_MS = 10 * 60_000;
const STEP_RETRY_BACKOFF = { baseMs: 5_000, maxMs: 60_000 };

/** Capability nodes a wait leads to, by flow: fetches of a result the person already produced. */
function resultFetches(flow: Flow): Set<string> {
  const fetches = new Set<string>();
  for (const node of Object.values(flow.nodes)) {
    if (node.type !== 'wait') continue;
    for (const target of Object.values(node.branches))
      if (target && flow.nodes[target]?.type === 'capability') fetches.add(target);
  }
  return fetches;
}

/**
 * How long a cancel waits for a step in flight (whose runner holds the lease) to commit, in growing pauses; the
 * step then parks, asks for input or ends, and the cancel takes the session or finds it ended.
 */
const CANCEL_PAUSES_MS = [20, 50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000, 1_000];
/** Commits lost to another writer that moved the session (not a held lease) before the cancel gives up. */
const CANCEL_RACES = 20;

const MAX_STEPS = 200;
/** Branches followed within one step's commit (more go through the run loop, one commit each). */
const BRANCH_HOPS = 10;
/** Sessions (and deliveries) one sweep claims of each kind. */
const SWEEP_LIMIT = 100;
/** Deliveries settled per statement, and statements per sweep (10,000 a second at the default tick). */
const SETTLE_LIMIT = 1_000;
const SETTLE_ROUNDS = 10;

/**
 * Runs flows durably. A session's state lives in the store; every step is one transaction, conditional on the
 * session's version and on its lease, so a step commits once even when several triggers (webhooks, timeouts,
 * a restarted process, other instances) race, and a step (a billed Socure call) runs only while its runner
 * holds the lease. A waiting session is a row, not a pending promise.
 */
export class FlowEngine {
  private readonly o: Required<
    Omit<EngineOptions, 'completionCallback' | 'log' | 'demoDefaults' | 'onWaitResolved'>
  > &
    Pick<EngineOptions, 'completionCallback' | 'log' | 'demoDefaults' | 'onWaitResolved'>;
  #runs = 0;
  /** Tells this process's leases from those of an earlier life of the same instance. */
  readonly #boot = randomUUID().slice(0, 8);
  #recoveredOrphans = false;
  readonly #resultFetches: Map<string, Set<string>>;

  constructor(options: EngineOptions) {
    // `??`, not spread defaults: an option passed as undefined must not replace the default.
    this.o = {
      ...options,
      now: options.now ?? Date.now,
      leaseMs: options.leaseMs ?? 30_000,
      correlateGraceMs: options.correlateGraceMs ?? 5_000,
      stepRetryBackoff: options.stepRetryBackoff ?? STEP_RETRY_BACKOFF,
      instanceId: options.instanceId ?? randomUUID().slice(0, 8),
    };
    this.#resultFetches = new Map([...options.flows].map(([id, flow]) => [id, resultFetches(flow)]));
  }

  /** A customer user id as the store keeps and finds it (its keyed hash). */
  private hashKey(customerUserId: string | null | undefined): string | null {
    return customerUserId == null || customerUserId === '' ? null : this.o.store.lookupHash(customerUserId);
  }

  /** The engine's clock (pages word its rate limits with it). */
  now(): number {
    return this.o.now();
  }

  /** This instance's name in leases. */
  get instanceId(): string {
    return this.o.instanceId;
  }

  /** A fresh lease owner: one per run, so two runs (even in one process) never share a lease. */
  private newOwner(): string {
    this.#runs += 1;
    return `${this.o.instanceId}:${this.#boot}:${this.#runs}`;
  }

  private leaseUntil(now = this.o.now()): number {
    return now + this.o.leaseMs;
  }

  flowIds(): IterableIterator<string> {
    return this.o.flows.keys();
  }

  flow(flowId: string): Flow | undefined {
    return this.o.flows.get(flowId);
  }

  get store(): Store {
    return this.o.store;
  }

  /** Creates a session and runs it until it needs the person or a webhook. */
  async start(params: StartSession): Promise<SessionRow> {
    const flow = this.o.flows.get(params.flowId);
    if (!flow) throw new UnknownFlowError(`unknown flow "${params.flowId}"`);
    const now = this.o.now();
    const owner = this.newOwner();
    const id = randomUUID();
    const session = await this.o.store.createSession(
      {
        id,
        flowId: flow.id,
        nodeId: flow.start,
        customerUserId: params.customerUserId ?? null,
        returnUrl: params.returnUrl ?? null,
        expiresAt: now + flow.ttl,
        input: params.input ?? {},
        language: params.language ?? null,
        timeline: [{ type: 'created', detail: { flow: flow.id } }],
        audit: [
          {
            type: 'session.started',
            actor: params.actor ?? 'engine',
            detail: { sessionId: id, flow: flow.id },
          },
        ],
      },
      now,
      { owner, until: this.leaseUntil(now) },
    );
    await this.runSteps(session.id, owner);
    return (await this.o.store.getSession(session.id)) ?? session;
  }

  /** The values `{{…}}` references see. */
  scope(session: SessionRow, data: SessionData): Scope {
    return {
      ...data.outputs,
      input: data.input,
      // An absent customer user id is missing (left out of capability inputs), not null: getVerificationUrl
      // refuses a null customerUserId, so docv-qr started without one ended "failed".
      session: {
        id: session.id,
        customerUserId: session.customerUserId ?? undefined,
        flowId: session.flowId,
        // For DocV's config.language: missing (Socure's default) until the app or a browser gives one.
        language: session.language ?? undefined,
      },
    };
  }

  /**
   * The values a screen's form starts with: each field's `default` (e.g. `{{input.firstName}}`); its `demo`
   * value only with `demoDefaults` (the embedded sandbox) and a session started without input.
   */
  formDefaults(node: NodeOf<'screen'>, scope: Scope): { values: Record<string, string>; usedDemo: boolean } {
    const input = scope.input as Record<string, unknown> | undefined;
    const noInput = !input || Object.keys(input).length === 0;
    return formDefaults(node.fields, scope, this.o.demoDefaults === true && noInput);
  }

  /** A screen's form was submitted. Returns field errors, or moves the session on. */
  async submit(
    sessionId: string,
    nodeId: string,
    body: Record<string, unknown>,
  ): Promise<{ errors: Record<string, FieldError> } | { session: SessionRow }> {
    const session = await this.o.store.getSession(sessionId);
    if (!session) throw new UnknownFlowError('unknown session');
    const node = this.node(session);
    if (session.status !== 'input' || session.nodeId !== nodeId || node.type !== 'screen') {
      return { session }; // a stale or repeated submit: the page shows the current state
    }
    const { values, errors } = validateForm(node.fields, body);
    if (Object.keys(errors).length > 0) return { errors };
    const owner = this.newOwner();
    const moved = await this.transition(session, owner, { status: 'running', nodeId: node.next }, 'input', {
      output: { nodeId, value: values },
    });
    if (moved) await this.runSteps(sessionId, owner);
    return { session: (await this.o.store.getSession(sessionId)) ?? session };
  }

  /**
   * Ends a session that has not ended with outcome `cancelled`, as any end: one commit under its lease and version
   * (so a webhook, a timeout or a step racing it either commits first — then this finds the session moved and
   * looks again — or finds it ended), with the timeline entry, the audit entry and the app's callback. A step in
   * flight holds the lease: the cancel waits for it a few seconds, then answers `busy`.
   */
  async cancel(sessionId: string, actor: string): Promise<CancelResult> {
    let pauses = 0;
    for (let races = 0; races <= CANCEL_RACES; ) {
      const session = await this.o.store.getSession(sessionId);
      if (!session) return { status: 'not_found' };
      if (session.status === 'completed') return { status: 'already_ended', session };
      const owner = this.newOwner();
      const result = { reason: 'cancelled' };
      if (await this.finish(session, owner, 'cancelled', result, { cancelledBy: actor })) {
        return { status: 'cancelled', session: (await this.o.store.getSession(sessionId)) ?? session };
      }
      const now = await this.o.store.getSession(sessionId);
      if (!now) return { status: 'not_found' };
      if (now.status === 'completed') return { status: 'already_ended', session: now };
      if (now.version !== session.version) {
        races++; // another writer moved it: look again at once
        continue;
      }
      // Same version, not ours: a runner holds a live lease (a step in flight).
      const pause = CANCEL_PAUSES_MS[pauses++];
      if (pause === undefined) return { status: 'busy', session: now };
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    const last = await this.o.store.getSession(sessionId);
    return last ? { status: 'busy', session: last } : { status: 'not_found' };
  }

  /**
   * Commits a verified Socure delivery to the inbox; call before acknowledging it. Then, when a session waits on
   * it (`sessionWaits`), `correlate` it; the others are settled in bulk by the sweep.
   */
  async receive(delivery: SocureWebhookDelivery, rawBody: string): Promise<DeliveryReceipt> {
    const now = this.o.now();
    return this.o.store.insertDelivery(
      {
        deliveryId: delivery.id,
        eventType: delivery.eventType,
        docvTransactionToken: delivery.keys.docvTransactionToken ?? null,
        referenceId: delivery.keys.referenceId ?? null,
        customerUserId: this.hashKey(delivery.keys.customerUserId),
        payload: rawBody,
        authenticated: delivery.authenticated,
        receivedAt: now,
      },
      now + this.o.correlateGraceMs,
    );
  }

  /**
   * Resumes the sessions waiting for this delivery (each exactly once). The delivery is then marked correlated,
   * unless a waiting session could not take it now (its lease was held): a sweep tries again.
   */
  async correlate(delivery: SocureWebhookDelivery): Promise<void> {
    const keys: CorrelationKeys = {
      docvTransactionToken: delivery.keys.docvTransactionToken,
      referenceId: delivery.keys.referenceId,
      customerUserId: this.hashKey(delivery.keys.customerUserId),
    };
    const waiting = (await this.o.store.findWaitingSessions(keys)).filter(
      (session) => keysMatch(session, keys) && session.waitEvents?.includes(delivery.eventType),
    );
    let consumed = false;
    let retry = false;
    for (const session of waiting) {
      const owner = this.newOwner();
      if (await this.resolveWait(session, delivery, owner)) {
        consumed = true;
        await this.runSteps(session.id, owner);
      } else {
        const now = await this.o.store.getSession(session.id);
        if (now?.status === 'waiting' && now.version === session.version) retry = true;
      }
    }
    // A consuming step already cleared it in its own transaction.
    if (!consumed && !retry) await this.o.store.markDeliveryCorrelated(delivery.id);
  }

  /**
   * One sweep, run by every instance on a schedule: claims (so each fires once across instances) due timeouts,
   * sessions whose runner died mid-step (lease expired), sessions past their time to live, and deliveries whose
   * receiving instance died before correlating them. One bad session must not stop the others.
   */
  async tick(): Promise<void> {
    const now = this.o.now();
    const owner = this.newOwner();
    const lease = { owner, until: this.leaseUntil(now) };
    const each = async <T>(items: T[], idOf: (item: T) => string, fn: (item: T) => Promise<unknown>) => {
      await Promise.all(
        items.map(async (item) => {
          try {
            await fn(item);
          } catch (err) {
            this.o.log?.error({ id: idOf(item), err }, 'sweep: item skipped');
          }
        }),
      );
    };
    const store = this.o.store;
    if (!this.#recoveredOrphans) {
      // First sweep after a start: what our previous life left mid-step resumes now, not when its lease expires.
      await each(
        await store.claimOrphanedSessions(
          `${this.o.instanceId}:`,
          `${this.o.instanceId}:${this.#boot}:`,
          lease,
          SWEEP_LIMIT,
        ),
        (s) => s.id,
        (session) => this.recover(session, owner),
      );
      this.#recoveredOrphans = true;
    }
    await each(
      await store.claimDueSessions(now, lease, SWEEP_LIMIT),
      (s) => s.id,
      (s) => this.timeOut(s, owner),
    );
    await each(
      await store.claimStalledSessions(now, lease, SWEEP_LIMIT),
      (s) => s.id,
      (session) => this.recover(session, owner),
    );
    // A session past its time to live ends as expired wherever it stands (an abandoned form, a wait with a
    // longer timeout) — after the due timeouts, so a delivery committed in time still wins; one whose runner holds a live lease is left to finish its step.
    await each(
      await store.claimExpiredSessions(now, lease, SWEEP_LIMIT),
      (s) => s.id,
      async (session) => {
        if (!(await this.finish(session, owner, 'expired', { reason: 'session_expired' })))
          await store.releaseLease(session.id, owner);
      },
    );
    // Deliveries nobody waited for when they came, and nobody waits for now: settled in bulk, a statement per
    // thousand. Bounded per sweep so a huge backlog cannot hold the sweep up; what is left goes next time.
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      if ((await store.settleDeliveries(now, SETTLE_LIMIT)) < SETTLE_LIMIT) break;
    }
    await each(
      await store.claimUncorrelatedDeliveries(now, now + this.o.leaseMs, SWEEP_LIMIT),
      (d) => d.deliveryId,
      (d) => this.correlate(parseDelivery(d.payload, d.authenticated)),
    );
  }

  /** Re-runs the step a dead runner left; a session that was not mid-step is left to the other sweeps. */
  private async recover(session: SessionRow, owner: string): Promise<void> {
    // Past its time to live it ends as expired: its dead runner's step is not run again.
    if (session.expiresAt <= this.o.now()) {
      if (!(await this.finish(session, owner, 'expired', { reason: 'session_expired' })))
        await this.o.store.releaseLease(session.id, owner);
      return;
    }
    if (session.status === 'running' && (await this.transition(session, owner, {}, 'recovered')))
      return this.runSteps(session.id, owner);
    await this.o.store.releaseLease(session.id, owner);
  }

  /** A claimed waiting session whose timeout is due: a delivery already in the inbox wins over the clock. */
  private async timeOut(session: SessionRow, owner: string): Promise<void> {
    const node = this.node(session);
    if (node.type === 'wait') {
      // Committed, then the process died before correlating it (or the deadline passed while it was down).
      if (await this.checkInbox(session, owner)) return this.runSteps(session.id, owner);
      const moved = await this.transition(
        session,
        owner,
        { status: 'running', nodeId: node.branches.timeout, ...CLEAR_WAIT },
        'timeout',
        { output: { nodeId: session.nodeId, value: { timedOut: true } } },
      );
      if (moved) this.o.onWaitResolved?.(session.flowId, this.o.now() - session.updatedAt, 'timeout');
      if (moved) return this.runSteps(session.id, owner);
    } else if (node.type === 'capability') {
      // A failed step's retry is due.
      if (await this.transition(session, owner, { status: 'running', ...CLEAR_WAIT }, 'retry'))
        return this.runSteps(session.id, owner);
    }
    await this.o.store.releaseLease(session.id, owner);
  }

  /** Runs a session until it parks, if no other runner holds its lease. */
  run(sessionId: string): Promise<void> {
    return this.runSteps(sessionId, this.newOwner());
  }

  /** Runs the steps of a running session while `owner` holds (or can take) its lease. */
  private async runSteps(sessionId: string, owner: string): Promise<void> {
    for (let step = 0; step < MAX_STEPS; step++) {
      let session = await this.o.store.getSession(sessionId);
      if (session?.status !== 'running') return;
      const now = this.o.now();
      // Our lease, fresh enough for a step: else take it (only if free or expired) before doing anything.
      if (session.leaseOwner !== owner || (session.leaseUntil ?? 0) - now < this.o.leaseMs / 2) {
        session = await this.o.store.acquireLease(
          sessionId,
          { owner, until: this.leaseUntil(now) },
          now,
          session.version,
        );
        if (!session) return; // another runner holds it
      }
      const data = (await this.o.store.getSessionData(sessionId))!;
      const advanced = await this.step(session, owner, this.node(session), this.scope(session, data));
      if (!advanced) return;
    }
    this.o.log?.error({ sessionId }, 'flow exceeded the step limit (a loop without a screen or wait?)');
    const session = await this.o.store.getSession(sessionId);
    if (session) await this.finish(session, owner, 'failed', { error: 'the flow exceeded its step limit' });
  }

  /** Executes one node. Returns true when the session moved on and should keep running. */
  private async step(session: SessionRow, owner: string, node: FlowNode, scope: Scope): Promise<boolean> {
    switch (node.type) {
      case 'capability':
        return this.runCapability(session, owner, node, scope);
      case 'screen': {
        // skipIfComplete, on the first arrival only (back here after an error, the person sees the page): the
        // defaults without demo values, checked exactly as a submit, become the screen's output.
        if (node.skipIfComplete && scope[session.nodeId] === undefined) {
          const { values, errors } = validateForm(
            node.fields,
            formDefaults(node.fields, scope, false).values,
          );
          if (Object.keys(errors).length === 0)
            return this.transition(session, owner, { nodeId: node.next }, 'skipped', {
              output: { nodeId: session.nodeId, value: values },
            });
        }
        await this.transition(session, owner, { status: 'input' }, 'screen');
        return false;
      }
      case 'wait':
        return this.park(session, owner, node, scope);
      case 'branch':
        return this.transition(session, owner, { nodeId: chooseBranch(node, scope) }, 'branch');
      case 'end': {
        const result = resolveDeep(node.result, scope) as Record<string, unknown>;
        await this.finish(session, owner, node.outcome, result, { outputs: outputsOf(scope) });
        return false;
      }
    }
  }

  private async runCapability(
    session: SessionRow,
    owner: string,
    node: NodeOf<'capability'>,
    scope: Scope,
  ): Promise<boolean> {
    const saveAs = node.saveAs ?? session.nodeId;
    const { output, failed, audit } = await this.callCapability(session, owner, node, scope);
    if (failed) {
      const { err } = failed;
      const failure = describeStepError(err);
      this.o.log?.warn(
        { sessionId: session.id, node: session.nodeId, ...failure.detail },
        'capability failed',
      );
      if (failure.detail.kind === 'Error')
        this.o.log?.error({ sessionId: session.id, err }, 'unexpected capability error');
      const retry = failure.retryable ? this.nextRetry(session, node, scope[saveAs]) : undefined;
      if (retry) {
        // Parked until the retry is due (a timeout sweep resumes it), so the person's page keeps waiting.
        const retried = await this.o.store.commitStep({
          sessionId: session.id,
          expectedVersion: session.version,
          patch: { status: 'waiting', wakeAt: retry.at, waitEvents: null, challengeId: null },
          now: this.o.now(),
          lease: { owner, until: null },
          output: { nodeId: saveAs, value: { error: failure.output, retry } },
          audit,
          timeline: [
            {
              type: 'retry_scheduled',
              detail: { node: session.nodeId, attempt: retry.attempts, at: retry.at, ...failure.detail },
            },
          ],
        });
        if (!retried) this.o.log?.warn({ sessionId: session.id }, 'retry not scheduled: the session moved');
        return false;
      }
      if (!node.onError) {
        await this.finish(
          session,
          owner,
          'failed',
          { error: failure.detail.message }, // for the app: the cause, without personal values
          { detail: { error: failure.detail }, outputs: outputsOf(scope), audit },
        );
        return false;
      }
      return this.transition(
        session,
        owner,
        { nodeId: node.onError },
        'step',
        {
          output: { nodeId: saveAs, value: { error: failure.output } },
          audit,
        },
        { error: failure.detail },
      );
    }
    // The branches after the step, and the end or the wait they lead to, go in the step's own commit: one commit
    // (an fsync on SQLite) instead of three between Socure's answer and the person's result page.
    const stepOutput = { nodeId: saveAs, value: output };
    const after = this.followBranches(session.flowId, node.next, { ...scope, [saveAs]: output });
    const stepEntry: TimelineEntry = { type: 'step', detail: { from: session.nodeId, to: node.next } };
    const target = this.node({ ...session, nodeId: after.nodeId });
    const via = { nodeId: after.nodeId, output: stepOutput, timeline: [stepEntry, ...after.timeline] };
    if (target.type === 'end') {
      const result = resolveDeep(target.result, { ...scope, [saveAs]: output }) as Record<string, unknown>;
      await this.finish(session, owner, target.outcome, result, {
        via,
        outputs: { ...outputsOf(scope), [saveAs]: output },
        audit,
      });
      return false;
    }
    if (target.type === 'wait')
      return this.park(session, owner, target, { ...scope, [saveAs]: output }, { ...via, audit });
    return this.transition(
      session,
      owner,
      { nodeId: after.nodeId },
      'step',
      { output: stepOutput, audit },
      {},
      [stepEntry, ...after.timeline],
    );
  }

  /** Runs a capability node's call under the session's lease (renewed while it runs), with its audit entries. */
  private async callCapability(
    session: SessionRow,
    owner: string,
    node: NodeOf<'capability'>,
    scope: Scope,
  ): Promise<{ output?: unknown; failed?: { err: unknown }; audit: AuditEntry[] }> {
    const capability = this.o.capabilities[node.capability]!;
    // The lease is renewed while the call runs, so a slow Socure answer is not taken for a dead runner.
    const renew = setInterval(() => {
      const now = this.o.now();
      this.o.store
        .acquireLease(session.id, { owner, until: this.leaseUntil(now) }, now, session.version)
        .catch((err: unknown) => this.o.log?.warn({ sessionId: session.id, err }, 'lease renewal failed'));
    }, this.o.leaseMs / 3);
    renew.unref();
    const calls: SocureCall[] = [];
    const context = { ...this.o.context, client: this.o.context.client.withCallLog(calls) };
    try {
      const output = await capability.execute(resolveDeep(node.input, scope) as never, context);
      return { output, audit: callEntries(session.id, calls) };
    } catch (err) {
      return { failed: { err }, audit: callEntries(session.id, calls) };
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * The person asks a waiting page (a wait node with `resend`) to send the message again, optionally to a new
   * number: re-runs the wait's capability node under the session's lease (rate-limited: `resend.interval`,
   * `resend.max`), then waits on the new transaction's keys in the same commit, so a delivery for the earlier
   * transaction no longer matches. The timeline records `sms_resent` / `phone_changed`, never the number.
   */
  async resend(sessionId: string, request: { phone?: unknown } = {}): Promise<ResendOutcome> {
    const session = await this.o.store.getSession(sessionId);
    if (!session) throw new UnknownFlowError('unknown session');
    const flow = this.o.flows.get(session.flowId);
    const node = flow?.nodes[session.nodeId];
    if (!flow || session.status !== 'waiting' || node?.type !== 'wait' || !node.resend || !session.waitEvents)
      return { refused: 'not-waiting' };
    const options = node.resend;
    const data = await this.o.store.getSessionData(sessionId);
    if (!data) return { refused: 'not-waiting' };
    const scope = this.scope(session, data);
    const now = this.o.now();
    const waitingSince = (session.wakeAt ?? now) - node.timeout;
    const state = resendStateOf(scope, session.nodeId, waitingSince);
    const refusal = checkResend(options, state, now);
    if (refusal) return refusal;
    const changing = request.phone !== undefined;
    const outputs: Array<{ nodeId: string; value: unknown }> = [];
    let sendScope = scope;
    if (changing) {
      const field = phoneFieldOf(flow, options);
      if (!field || !options.phone) return { refused: 'not-waiting' };
      const changed = withNewPhone(field, scope[options.phone.screen], request.phone);
      if ('error' in changed) return { fieldError: changed.error };
      outputs.push({ nodeId: options.phone.screen, value: changed.output });
      sendScope = { ...scope, [options.phone.screen]: changed.output };
    }
    const owner = this.newOwner();
    const leased = await this.o.store.acquireLease(
      sessionId,
      { owner, until: this.leaseUntil(now) },
      now,
      session.version,
    );
    if (!leased) return { refused: 'busy' };
    const sender = flow.nodes[options.node] as NodeOf<'capability'>;
    const { output, failed, audit } = await this.callCapability(leased, owner, sender, sendScope);
    const sentAt = this.o.now();
    const counted = {
      nodeId: resendStateKey(session.nodeId),
      value: { count: state.count + 1, lastAt: sentAt },
    };
    const attempt = { node: session.nodeId, attempt: state.count + 1, max: options.max };
    if (failed) {
      const failure = describeStepError(failed.err);
      this.o.log?.warn({ sessionId, node: options.node, ...failure.detail }, 'resend failed');
      if (audit.length === 0) {
        // Refused before anything was sent (e.g. a number that cannot be made E.164): not counted.
        await this.o.store.releaseLease(sessionId, owner);
        return changing && failure.output.field
          ? { fieldError: { code: 'tel' } }
          : { failed: failure.output };
      }
      // A send that reached Socure counts, even refused; the wait keeps its transaction.
      const kept = await this.o.store.commitStep({
        sessionId,
        expectedVersion: leased.version,
        patch: {},
        now: sentAt,
        lease: { owner, until: null },
        output: counted,
        audit,
        timeline: [{ type: 'resend_failed', detail: { ...attempt, error: failure.detail } }],
      });
      if (!kept) await this.o.store.releaseLease(sessionId, owner);
      return { failed: failure.output };
    }
    const saveAs = sender.saveAs ?? options.node;
    const after = { ...sendScope, [saveAs]: output };
    const key = (ref: string | undefined) => {
      const v = ref === undefined ? undefined : resolveString(ref, after);
      return v === undefined || v === null || v === '' ? null : String(v);
    };
    const moved = await this.o.store.commitStep({
      sessionId,
      expectedVersion: leased.version,
      // A new link: the wait's keys follow it and its timeout starts again.
      patch: {
        wakeAt: sentAt + node.timeout,
        waitToken: key(node.challenge.docvTransactionToken),
        waitReferenceId: key(node.challenge.referenceId),
        waitCustomerUserId: this.hashKey(key(node.challenge.customerUserId)),
        challengeId: randomUUID(),
      },
      now: sentAt,
      lease: { owner, until: null },
      output: { nodeId: saveAs, value: output },
      moreOutputs: [...outputs, counted],
      audit,
      timeline: [{ type: changing ? 'phone_changed' : 'sms_resent', detail: attempt }],
    });
    if (!moved) {
      await this.o.store.releaseLease(sessionId, owner);
      return { refused: 'busy' };
    }
    // A delivery for the new transaction may already be in: whoever resolves first wins.
    if (await this.checkInbox(moved, owner)) await this.runSteps(sessionId, owner);
    return { sent: changing ? 'changed' : 'resent' };
  }

  /**
   * Where `nodeId` leads once its branches are chosen (they read the scope only): the first node that is not a
   * branch, with the timeline entries the branches would have written. Stops after a few hops so that a loop
   * of branches is left to the run loop's step limit.
   */
  private followBranches(
    flowId: string,
    nodeId: string,
    scope: Scope,
  ): { nodeId: string; timeline: TimelineEntry[] } {
    const nodes = this.o.flows.get(flowId)?.nodes ?? {};
    const timeline: TimelineEntry[] = [];
    let at = nodeId;
    for (let hop = 0; hop < BRANCH_HOPS; hop++) {
      const node = nodes[at];
      if (node?.type !== 'branch') break;
      const to = chooseBranch(node, scope);
      timeline.push({ type: 'branch', detail: { from: at, to } });
      at = to;
    }
    return { nodeId: at, timeline };
  }

  /**
   * When a transient failure of this step is retried: within the node's retry window (counted from the first
   * failure in a row, kept in the node's output), with backoff. Undefined once the window is spent.
   */
  private nextRetry(
    session: SessionRow,
    node: NodeOf<'capability'>,
    previous: unknown,
  ): StepRetry | undefined {
    const windowMs =
      node.retryFor ??
      (this.#resultFetches.get(session.flowId)?.has(session.nodeId) ? RESULT_FETCH_RETRY_MS : 0);
    const now = this.o.now();
    const last = (previous as { retry?: StepRetry } | undefined)?.retry;
    const since = last?.since ?? now;
    const attempts = (last?.attempts ?? 0) + 1;
    const at = now + backoffMs(this.o.stepRetryBackoff, attempts - 1);
    return at - since <= windowMs ? { since, attempts, at } : undefined;
  }

  /**
   * Opens the challenge and parks the session. Returns true when the inbox already held its answer and the
   * session moved on: the caller's run loop continues it (calling run() from inside the run would wait on
   * itself forever). `via` is the capability step that led here, committed with the park: one commit (an
   * fsync on SQLite) instead of two for a step that opens a wait (docv-qr's start: the DocV request, then the wait).
   */
  private async park(
    session: SessionRow,
    owner: string,
    node: NodeOf<'wait'>,
    scope: Scope,
    via?: {
      nodeId: string;
      output: { nodeId: string; value: unknown };
      timeline: TimelineEntry[];
      audit?: AuditEntry[];
    },
  ): Promise<boolean> {
    const key = (ref: string | undefined) => {
      const v = ref === undefined ? undefined : resolveString(ref, scope);
      return v === undefined || v === null || v === '' ? null : String(v);
    };
    // One clock reading: the timeout counts from the moment the session is parked.
    const now = this.o.now();
    const patch: SessionPatch = {
      ...(via ? { nodeId: via.nodeId } : {}),
      status: 'waiting',
      wakeAt: now + node.timeout,
      waitToken: key(node.challenge.docvTransactionToken),
      waitReferenceId: key(node.challenge.referenceId),
      waitCustomerUserId: this.hashKey(key(node.challenge.customerUserId)),
      waitEvents: [...resolvingEvents(node).keys()],
      challengeId: randomUUID(),
    };
    const nodeId = via?.nodeId ?? session.nodeId;
    if (!patch.waitToken && !patch.waitReferenceId && !patch.waitCustomerUserId) {
      await this.finish(
        session,
        owner,
        'failed',
        { error: 'the wait has no correlation key (check the flow references)' },
        via ? { via, outputs: outputsOf(scope), audit: via.audit } : {},
      );
      return false;
    }
    const parked = await this.o.store.commitStep({
      sessionId: session.id,
      expectedVersion: session.version,
      patch,
      now,
      lease: { owner, until: null },
      ...(via ? { output: via.output, audit: via.audit } : {}),
      timeline: [
        ...(via?.timeline ?? []),
        { type: 'waiting', detail: { node: nodeId, events: patch.waitEvents } },
      ],
    });
    if (!parked) return false;
    // Checked after parking, so a delivery committed in between is not missed: whoever resolves first wins.
    return this.checkInbox(parked, owner);
  }

  /** Resolves a waiting session from a delivery already in the inbox (early or missed); true when it did. */
  private async checkInbox(session: SessionRow, owner: string): Promise<boolean> {
    const keys = {
      docvTransactionToken: session.waitToken,
      referenceId: session.waitReferenceId,
      customerUserId: session.waitCustomerUserId,
    };
    const found = await this.o.store.findDeliveries(keys, session.waitEvents ?? []);
    // Only unconsumed deliveries: one this session already consumed at an earlier wait would resolve the
    // next wait on the same keys again (docv-qr: prompt → fetchResult → awaitVerification → … in a loop).
    const usable = found.find(
      (d: InboxDelivery) =>
        d.consumedBy === null &&
        keysMatch(session, {
          docvTransactionToken: d.docvTransactionToken,
          referenceId: d.referenceId,
          customerUserId: d.customerUserId,
        }),
    );
    return usable
      ? this.resolveWait(session, parseDelivery(usable.payload, usable.authenticated), owner)
      : false;
  }

  /** Moves a waiting session to the branch of the delivery's event; true when this call did (the caller runs it). */
  private async resolveWait(
    session: SessionRow,
    delivery: SocureWebhookDelivery,
    owner: string,
  ): Promise<boolean> {
    const node = this.node(session);
    if (node.type !== 'wait') return false;
    const events = resolvingEvents(node);
    if (!events.has(delivery.eventType)) return false;
    // An unauthenticated delivery (no webhook secret configured) could be forged: it only triggers a fetch of
    // Socure's authoritative answer (the resolved branch), never decides an outcome such as "declined" itself.
    const target = delivery.authenticated ? events.get(delivery.eventType)! : node.branches.resolved;
    const output = toWebhookOutput(delivery, {
      challenge: session.challengeId ?? undefined,
      userId: session.customerUserId ?? undefined,
    });
    const moved = await this.transition(
      session,
      owner,
      { status: 'running', nodeId: target, ...CLEAR_WAIT },
      'resumed',
      // Consumed in the same transaction as the move: a crash in between cannot leave it reusable.
      { output: { nodeId: session.nodeId, value: output }, consumedDelivery: delivery.id },
      { eventType: delivery.eventType, deliveryId: delivery.id },
    );
    // A waiting row's updatedAt is when it parked: only a step's commit (park, resend) writes it.
    if (moved) this.o.onWaitResolved?.(session.flowId, this.o.now() - session.updatedAt, 'webhook');
    return moved;
  }

  /**
   * Ends a session: the end state, its result, the timeline entry and the app's callback in one transaction (a
   * session is never completed without its callback queued). True when this call ended it.
   */
  private async finish(
    session: SessionRow,
    owner: string,
    outcome: NonNullable<SessionRow['outcome']>,
    result: Record<string, unknown>,
    options: FinishOptions = {},
  ): Promise<boolean> {
    const { detail = {}, via } = options;
    const outputs = options.outputs ?? (await this.o.store.getSessionData(session.id))?.outputs ?? {};
    const cancelledBy = options.cancelledBy;
    const decided: AuditEntry = {
      type: cancelledBy === undefined ? 'session.decided' : 'session.cancelled',
      actor: cancelledBy ?? 'engine',
      detail: {
        sessionId: session.id,
        flow: session.flowId,
        outcome,
        ...nonPersonalRecord({ outputs, result: null }),
      },
    };
    const now = this.o.now();
    const callback = this.o.completionCallback;
    const ended = {
      ...session,
      ...(via ? { nodeId: via.nodeId } : {}),
      status: 'completed' as const,
      outcome,
    };
    const done = await this.o.store.commitStep({
      sessionId: session.id,
      expectedVersion: session.version,
      patch: { status: 'completed', outcome, ...CLEAR_WAIT, ...(via ? { nodeId: via.nodeId } : {}) },
      now,
      lease: { owner, until: null },
      result,
      ...(via ? { output: via.output } : {}),
      timeline: [
        ...(via?.timeline ?? []),
        cancelledBy === undefined
          ? { type: 'completed', detail: { outcome, ...detail } }
          : { type: 'cancelled', detail: { outcome, actor: cancelledBy, node: session.nodeId, ...detail } },
      ],
      outbound: callback?.build(ended, result),
      audit: [...(options.audit ?? []), decided],
    });
    if (!done) return false;
    callback?.queued();
    return true;
  }

  /**
   * One step's commit: the patch plus its timeline entry, conditional on the version and the lease. The lease is
   * kept while the session runs on and released when it parks, asks for input or ends. False when another
   * writer moved the session first.
   */
  private async transition(
    session: SessionRow,
    owner: string,
    patch: SessionPatch,
    event: string,
    data?: { output?: { nodeId: string; value: unknown }; consumedDelivery?: string; audit?: AuditEntry[] },
    detail: Record<string, unknown> = {},
    /** The timeline entries of this commit, when they are more than the one `event` (branches followed). */
    entries?: TimelineEntry[],
  ): Promise<boolean> {
    const now = this.o.now();
    const running = (patch.status ?? session.status) === 'running';
    const timeline = entries ?? [
      { type: event, detail: { from: session.nodeId, to: patch.nodeId ?? session.nodeId, ...detail } },
    ];
    const updated = await this.o.store.commitStep({
      sessionId: session.id,
      expectedVersion: session.version,
      patch,
      now,
      lease: { owner, until: running ? this.leaseUntil(now) : null },
      ...data,
      timeline,
    });
    return updated !== undefined;
  }

  node(session: SessionRow): FlowNode {
    const node = this.o.flows.get(session.flowId)?.nodes[session.nodeId];
    if (!node)
      throw new UnknownFlowError(
        `session ${session.id} is at an unknown node ${session.flowId}/${session.nodeId}`,
      );
    return node;
  }
}
