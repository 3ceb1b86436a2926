import type { Capability, CapabilityContext } from '../connector/capability.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import type { NewOutbound, SessionRow, Store } from '../store/types.js';
import type { Flow } from './definition.js';
import type { FieldError } from './form.js';
import type { ResendRefusal } from './resend.js';
import type { StepError } from './step-errors.js';

// What the engine is given and what its public calls answer (engine.ts has the behaviour).

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
  /**
   * The app's callback for a session that ended: built here, committed in the same transaction as the end
   * (the outbox), then `queued()` is told so it can be sent at once.
   */
  completionCallback?: {
    build(session: SessionRow, result: Record<string, unknown>): NewOutbound;
    queued(): void;
  };
  log?: EngineLogger;
  /**
   * How long a runner's lease on a session lasts; renewed while a step runs. A session whose runner died is
   * taken over by any instance once its lease expires. Default 30 s.
   */
  leaseMs?: number;
  /** Backoff between durable retries of a failed step. Default 5 s, doubling, at most 60 s apart. */
  stepRetryBackoff?: BackoffPolicy;
  /** How long a received delivery is left to the receiving instance before a sweep correlates it. Default 5 s. */
  correlateGraceMs?: number;
  /**
   * Names this instance in lease owners. Stable across restarts (e.g. host:port), a restarted instance takes
   * back at once the sessions its previous life left mid-step; it must be unique among live instances.
   * Default: a random id (then such sessions wait for their lease to expire).
   */
  instanceId?: string;
  /**
   * Whether screens fall back to their fields' `demo` values (the embedded sandbox's demo persona), for a
   * session started without `input`. Default false: with real Socure a field without a default is empty.
   */
  demoDefaults?: boolean;
  /**
   * Told when this instance resolves a wait (a delivery, or its timeout): the flow and how long the session waited
   * since it parked (or since its last resend). For metrics.
   */
  onWaitResolved?: (flowId: string, waitedMs: number, by: 'webhook' | 'timeout') => void;
}

export interface StartSession {
  flowId: string;
  input?: Record<string, unknown>;
  customerUserId?: string | null;
  returnUrl?: string | null;
  /** A language tag (en, es-MX) for the pages and DocV; else the first browser's, when it opens the session. */
  language?: string | null;
  /** Who started it, for the audit trail: `api-key:<id>` or `public-page`. Default `engine`. */
  actor?: string;
}

/** What `FlowEngine.cancel` did. */
export type CancelResult =
  | { status: 'cancelled'; session: SessionRow }
  | { status: 'already_ended'; session: SessionRow }
  /** A step held the session's lease (a Socure call in flight) for longer than the cancel waits. */
  | { status: 'busy'; session: SessionRow }
  | { status: 'not_found' };

export class UnknownFlowError extends Error {}

/** What a resend request did: sent, refused (with why), a refused number, or a failed send. */
export type ResendOutcome =
  | { sent: 'resent' | 'changed' }
  | ResendRefusal
  | { refused: 'not-waiting' | 'busy' }
  | { fieldError: FieldError }
  | { failed: StepError };
