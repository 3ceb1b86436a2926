import { randomUUID } from 'node:crypto';
import { toWebhookOutput } from '../connector/capabilities/wait-for-result.js';
import type { Capability, CapabilityContext } from '../connector/capability.js';
import { SocureError, SocureInputError } from '../socure/errors.js';
import type {
  CorrelationKeys,
  InboxDelivery,
  SessionData,
  SessionPatch,
  SessionRow,
  Store,
} from '../store/types.js';
import { parseDelivery, type SocureWebhookDelivery } from '../webhooks/index.js';
import { chooseBranch } from './conditions.js';
import type { Flow, FlowNode, NodeOf } from './definition.js';
import { validateForm } from './form.js';
import { resolveDeep, resolveString, type Scope } from './references.js';

export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EngineOptions {
  store: Store;
  flows: ReadonlyMap<string, Flow>;
  capabilities: Readonly<Record<string, Capability>>;
  context: CapabilityContext;
  now?: () => number;
  /** Called after every committed transition (to wake SSE listeners). */
  onChange?: (session: SessionRow) => void;
  /** Called once when a session ends (to notify the embedding app). */
  onComplete?: (session: SessionRow, result: Record<string, unknown>) => Promise<void>;
  log?: EngineLogger;
  /** A session left 'running' this long is taken as crashed mid-step and run again. */
  stallAfterMs?: number;
}

export interface StartSession {
  flowId: string;
  input?: Record<string, unknown>;
  customerUserId?: string | null;
  returnUrl?: string | null;
}

export class UnknownFlowError extends Error {}

/** Events that resolve a wait, each with the branch it takes. */
function resolvingEvents(node: NodeOf<'wait'>): Map<string, string> {
  const map = new Map<string, string>(node.events.map((e) => [e, node.branches.resolved]));
  if (node.branches.expired) map.set('SESSION_EXPIRED', node.branches.expired);
  if (node.branches.declined) map.set('CONSENT_DECLINED', node.branches.declined);
  if (node.branches.failed) map.set('DOCUMENTS_UPLOAD_FAILED', node.branches.failed);
  return map;
}

/** The most specific key decides: a token match wins over a reference id, which wins over a customer user id. */
function keysMatch(session: SessionRow, keys: CorrelationKeys): boolean {
  if (session.waitToken && keys.docvTransactionToken) return session.waitToken === keys.docvTransactionToken;
  if (session.waitReferenceId && keys.referenceId) return session.waitReferenceId === keys.referenceId;
  if (session.waitCustomerUserId && keys.customerUserId)
    return session.waitCustomerUserId === keys.customerUserId;
  return false;
}

const CLEAR_WAIT: SessionPatch = {
  wakeAt: null,
  waitToken: null,
  waitReferenceId: null,
  waitCustomerUserId: null,
  waitEvents: null,
};

const MAX_STEPS = 200;

/**
 * Runs flows durably. A session's state lives in the store and every step is a conditional update on
 * its version, so a step commits once even when several triggers (webhooks, timeouts, a restarted
 * process, another instance) race. A waiting session is a row, not a pending promise.
 */
export class FlowEngine {
  private readonly o: Required<Omit<EngineOptions, 'onChange' | 'onComplete' | 'log'>> &
    Pick<EngineOptions, 'onChange' | 'onComplete' | 'log'>;
  /** Sessions being run by this process, so one process never runs a session twice at once. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(options: EngineOptions) {
    // `??`, not spread defaults: an option passed as undefined must not replace the default.
    this.o = { ...options, now: options.now ?? Date.now, stallAfterMs: options.stallAfterMs ?? 60_000 };
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
    const session = await this.o.store.createSession(
      {
        id: randomUUID(),
        flowId: flow.id,
        nodeId: flow.start,
        customerUserId: params.customerUserId ?? null,
        returnUrl: params.returnUrl ?? null,
        expiresAt: now + flow.ttl,
        input: params.input ?? {},
      },
      now,
    );
    await this.o.store.appendTimeline(session.id, 'created', { flow: flow.id }, now);
    await this.run(session.id);
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
      },
    };
  }

  /** A screen's form was submitted. Returns field errors, or moves the session on. */
  async submit(
    sessionId: string,
    nodeId: string,
    body: Record<string, unknown>,
  ): Promise<{ errors: Record<string, string> } | { session: SessionRow }> {
    const session = await this.o.store.getSession(sessionId);
    if (!session) throw new UnknownFlowError('unknown session');
    const node = this.node(session);
    if (session.status !== 'input' || session.nodeId !== nodeId || node.type !== 'screen') {
      return { session }; // a stale or repeated submit: the page shows the current state
    }
    const { values, errors } = validateForm(node.fields, body);
    if (Object.keys(errors).length > 0) return { errors };
    const moved = await this.transition(session, { status: 'running', nodeId: node.next }, 'input', {
      output: { nodeId, value: values },
    });
    if (moved) await this.run(sessionId);
    return { session: (await this.o.store.getSession(sessionId)) ?? session };
  }

  /** Commits a verified Socure delivery to the inbox; call before acknowledging it. */
  async receive(delivery: SocureWebhookDelivery, rawBody: string): Promise<'inserted' | 'duplicate'> {
    return this.o.store.insertDelivery({
      deliveryId: delivery.id,
      eventType: delivery.eventType,
      docvTransactionToken: delivery.keys.docvTransactionToken ?? null,
      referenceId: delivery.keys.referenceId ?? null,
      customerUserId: delivery.keys.customerUserId ?? null,
      payload: rawBody,
      authenticated: delivery.authenticated,
      receivedAt: this.o.now(),
    });
  }

  /** Resumes the sessions waiting for this delivery (each exactly once). */
  async correlate(delivery: SocureWebhookDelivery): Promise<void> {
    const keys: CorrelationKeys = {
      docvTransactionToken: delivery.keys.docvTransactionToken,
      referenceId: delivery.keys.referenceId,
      customerUserId: delivery.keys.customerUserId,
    };
    for (const session of await this.o.store.findWaitingSessions(keys)) {
      if (keysMatch(session, keys) && session.waitEvents?.includes(delivery.eventType)) {
        if (await this.resolveWait(session, delivery)) await this.run(session.id);
      }
    }
  }

  /**
   * Fires due timeouts, re-runs sessions stalled mid-step, and (with `all`) re-checks every waiting
   * session against the inbox — what a restarted process does first.
   */
  async tick(options: { all?: boolean; limit?: number } = {}): Promise<void> {
    const now = this.o.now();
    const limit = options.limit ?? 100;
    // One bad session (e.g. its flow file was removed) must not stop every other session's timeout.
    const each = async (sessions: SessionRow[], fn: (session: SessionRow) => Promise<unknown>) => {
      for (const session of sessions) {
        try {
          await fn(session);
        } catch (err) {
          this.o.log?.error({ sessionId: session.id, err }, 'tick: session skipped');
        }
      }
    };
    await each(await this.o.store.listDueSessions(now, limit), (session) => this.timeOut(session));
    await each(await this.o.store.listStalledSessions(now - this.o.stallAfterMs, limit), async (session) => {
      // A slow step this process is still running is not stalled: re-running it would call its capability twice.
      if (this.running.has(session.id)) return;
      // Claim it first (a version bump), so two recovering processes do not both re-run the step.
      if (await this.transition(session, {}, 'recovered')) await this.run(session.id);
    });
    // A session past its time to live ends as expired, wherever it stands (an abandoned form, a wait with a
    // longer timeout); a session this process is running is left to finish its step.
    await each(await this.o.store.listExpiredSessions(now, limit), async (session) => {
      if (!this.running.has(session.id)) await this.finish(session, 'expired', { reason: 'session_expired' });
    });
    if (options.all) {
      await each(await this.o.store.listDueSessions(Number.MAX_SAFE_INTEGER, 10_000), async (session) => {
        if (await this.checkInbox(session)) await this.run(session.id);
      });
    }
  }

  private async timeOut(session: SessionRow): Promise<void> {
    const node = this.node(session);
    if (node.type !== 'wait') return;
    // A delivery already in the inbox wins over the clock: it was committed, then the process died before
    // correlating it (or the deadline passed while the service was down).
    if (await this.checkInbox(session)) return this.run(session.id);
    const moved = await this.transition(
      session,
      { status: 'running', nodeId: node.branches.timeout, ...CLEAR_WAIT },
      'timeout',
      { output: { nodeId: session.nodeId, value: { timedOut: true } } },
    );
    if (moved) await this.run(session.id);
  }

  /** Runs a session until it parks; concurrent calls in this process share one run. */
  run(sessionId: string): Promise<void> {
    const current = this.running.get(sessionId);
    if (current) return current.then(() => this.run(sessionId));
    const run = this.runSteps(sessionId).finally(() => this.running.delete(sessionId));
    this.running.set(sessionId, run);
    return run;
  }

  private async runSteps(sessionId: string): Promise<void> {
    for (let step = 0; step < MAX_STEPS; step++) {
      const session = await this.o.store.getSession(sessionId);
      if (session?.status !== 'running') return;
      const data = (await this.o.store.getSessionData(sessionId))!;
      const advanced = await this.step(session, this.node(session), this.scope(session, data));
      if (!advanced) return;
    }
    this.o.log?.error({ sessionId }, 'flow exceeded the step limit (a loop without a screen or wait?)');
    const session = await this.o.store.getSession(sessionId);
    if (session) await this.finish(session, 'failed', { error: 'the flow exceeded its step limit' });
  }

  /** Executes one node. Returns true when the session moved on and should keep running. */
  private async step(session: SessionRow, node: FlowNode, scope: Scope): Promise<boolean> {
    switch (node.type) {
      case 'capability':
        return this.runCapability(session, node, scope);
      case 'screen':
        await this.transition(session, { status: 'input' }, 'screen');
        return false;
      case 'wait':
        return this.park(session, node, scope);
      case 'branch':
        return this.transition(session, { nodeId: chooseBranch(node, scope) }, 'branch');
      case 'end': {
        const result = resolveDeep(node.result, scope) as Record<string, unknown>;
        await this.finish(session, node.outcome, result);
        return false;
      }
    }
  }

  private async runCapability(
    session: SessionRow,
    node: NodeOf<'capability'>,
    scope: Scope,
  ): Promise<boolean> {
    const capability = this.o.capabilities[node.capability]!;
    let output: unknown;
    let next = node.next;
    try {
      output = await capability.execute(resolveDeep(node.input, scope) as never, this.o.context);
    } catch (err) {
      // Only our own error classes reach the output: their messages never hold the key.
      const known = err instanceof SocureError;
      const error = {
        message: known ? err.message : 'The identity service failed unexpectedly',
        kind: known ? err.name : 'Error',
        ...(err instanceof SocureInputError ? { field: err.field } : {}),
      };
      this.o.log?.warn(
        { sessionId: session.id, node: session.nodeId, kind: error.kind },
        'capability failed',
      );
      if (!known) this.o.log?.error({ sessionId: session.id, err }, 'unexpected capability error');
      if (!node.onError) {
        await this.finish(session, 'failed', { error: error.message });
        return false;
      }
      output = { error };
      next = node.onError;
    }
    return this.transition(session, { nodeId: next }, 'step', {
      output: { nodeId: node.saveAs ?? session.nodeId, value: output },
    });
  }

  /**
   * Opens the challenge and parks the session. Returns true when the inbox already held its answer and the
   * session moved on: the caller's run loop continues it (calling run() from inside the run would wait on
   * itself forever).
   */
  private async park(session: SessionRow, node: NodeOf<'wait'>, scope: Scope): Promise<boolean> {
    const key = (ref: string | undefined) => {
      const v = ref === undefined ? undefined : resolveString(ref, scope);
      return v === undefined || v === null || v === '' ? null : String(v);
    };
    // One clock reading: the timeout counts from the moment the session is parked.
    const now = this.o.now();
    const patch: SessionPatch = {
      status: 'waiting',
      wakeAt: now + node.timeout,
      waitToken: key(node.challenge.docvTransactionToken),
      waitReferenceId: key(node.challenge.referenceId),
      waitCustomerUserId: key(node.challenge.customerUserId),
      waitEvents: [...resolvingEvents(node).keys()],
      challengeId: randomUUID(),
    };
    if (!patch.waitToken && !patch.waitReferenceId && !patch.waitCustomerUserId) {
      await this.finish(session, 'failed', {
        error: 'the wait has no correlation key (check the flow references)',
      });
      return false;
    }
    const parked = await this.o.store.updateSession(session.id, session.version, patch, now);
    if (!parked) return false;
    await this.o.store.appendTimeline(
      session.id,
      'waiting',
      { node: session.nodeId, events: patch.waitEvents },
      this.o.now(),
    );
    this.o.onChange?.(parked);
    // Checked after parking, so a delivery committed in between is not missed: whoever resolves first wins.
    return this.checkInbox(parked);
  }

  /** Resolves a waiting session from a delivery already in the inbox (early or missed); true when it did. */
  private async checkInbox(session: SessionRow): Promise<boolean> {
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
    return usable ? this.resolveWait(session, parseDelivery(usable.payload, usable.authenticated)) : false;
  }

  /** Moves a waiting session to the branch of the delivery's event; true when this call did (the caller runs it). */
  private async resolveWait(session: SessionRow, delivery: SocureWebhookDelivery): Promise<boolean> {
    const node = this.node(session);
    if (node.type !== 'wait') return false;
    const target = resolvingEvents(node).get(delivery.eventType);
    if (!target) return false;
    const output = toWebhookOutput(delivery, {
      challenge: session.challengeId ?? undefined,
      userId: session.customerUserId ?? undefined,
    });
    const moved = await this.transition(
      session,
      { status: 'running', nodeId: target, ...CLEAR_WAIT },
      'resumed',
      // Consumed in the same transaction as the move: a crash in between cannot leave it reusable.
      { output: { nodeId: session.nodeId, value: output }, consumedDelivery: delivery.id },
      { eventType: delivery.eventType, deliveryId: delivery.id },
    );
    return moved;
  }

  private async finish(
    session: SessionRow,
    outcome: NonNullable<SessionRow['outcome']>,
    result: Record<string, unknown>,
  ) {
    const done = await this.o.store.updateSession(
      session.id,
      session.version,
      { status: 'completed', outcome, ...CLEAR_WAIT },
      this.o.now(),
      { result },
    );
    if (!done) return;
    await this.o.store.appendTimeline(session.id, 'completed', { outcome }, this.o.now());
    this.o.onChange?.(done);
    await this.o.onComplete?.(done, result);
  }

  /** One conditional update plus its timeline entry; false when another writer moved the session first. */
  private async transition(
    session: SessionRow,
    patch: SessionPatch,
    event: string,
    data?: { output?: { nodeId: string; value: unknown }; consumedDelivery?: string },
    detail: Record<string, unknown> = {},
  ): Promise<boolean> {
    const now = this.o.now();
    const updated = await this.o.store.updateSession(session.id, session.version, patch, now, data);
    if (!updated) return false;
    await this.o.store.appendTimeline(
      session.id,
      event,
      { from: session.nodeId, to: updated.nodeId, ...detail },
      now,
    );
    this.o.onChange?.(updated);
    return true;
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
