import { randomUUID } from 'node:crypto';
import type { DocvEventType } from '../../webhooks/events.js';
import type { SandboxClock } from '../clock.js';
import type { DocvEventRecord } from '../webhooks/payload.js';
import { magicOutcomeOf } from './magic.js';
import type { DocvOutcome } from './outcomes.js';
import { buildDocumentVerification } from './results.js';
import type { TransactionStore } from './transactions.js';
import type { DocumentType, DocvTransaction, UploadSide } from './types.js';

/** The capture app's screens, in order; a transaction is always at exactly one of them or finished. */
export type CaptureStep = 'consent' | 'document-type' | 'front' | 'back' | 'selfie' | 'review';
export type Position = CaptureStep | 'done' | 'declined' | 'expired' | 'failed';

/** What a step request did: ran, was already done (a reload), is not due yet, or the session is over. */
export type StepResult =
  | { kind: 'done' }
  | { kind: 'already'; position: Position }
  | { kind: 'out-of-order'; position: Position }
  | { kind: 'finished'; position: Position };

const FINISHED: Record<Exclude<DocvTransaction['status'], 'pending'>, Position> = {
  completed: 'done',
  declined: 'declined',
  expired: 'expired',
  failed: 'failed',
};

const UPLOAD_EVENTS: Record<UploadSide, DocvEventType> = {
  front: 'DOCUMENT_FRONT_UPLOADED',
  back: 'DOCUMENT_BACK_UPLOADED',
  selfie: 'DOCUMENT_SELFIE_UPLOADED',
};

export interface LifecycleDeps {
  clock: SandboxClock;
  store: TransactionStore;
  /** Hands a batch of one transaction's events to webhook delivery. */
  deliver: (events: DocvEventRecord[], tx: DocvTransaction) => void;
}

/**
 * The state machine of a DocV transaction and the only place that fires its events, so that every
 * path (capture app, trigger, sweeper) keeps Socure's order and fires each event once.
 */
export class DocvLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /** Where the transaction is now; expires it first when its time is up. */
  position(tx: DocvTransaction): Position {
    this.refresh(tx);
    if (tx.status !== 'pending') return FINISHED[tx.status];
    if (tx.consentedAt === undefined) return 'consent';
    if (!tx.documentType) return 'document-type';
    if (!tx.uploads.front) return 'front';
    if (tx.documentType === 'license' && !tx.uploads.back) return 'back';
    if (!tx.uploads.selfie) return 'selfie';
    return 'review';
  }

  /** Fires SESSION_EXPIRED once the TTL has passed on the sandbox clock. */
  refresh(tx: DocvTransaction): void {
    if (tx.status === 'pending' && this.d.clock.now() >= tx.expiresAt) {
      this.#finish(tx, 'expired');
      this.#emit(tx, ['SESSION_EXPIRED']);
    }
  }

  start(tx: DocvTransaction): void {
    this.#emit(tx, ['WAITING_FOR_USER_TO_REDIRECT']);
  }

  /** APP_OPENED on the first open only; a reload fires nothing. */
  open(tx: DocvTransaction): void {
    this.refresh(tx);
    if (tx.status !== 'pending' || tx.openedAt !== undefined) return;
    tx.openedAt = this.d.clock.now();
    this.#emit(tx, ['APP_OPENED']);
  }

  consent(tx: DocvTransaction, accepted: boolean): StepResult {
    return this.#step(tx, 'consent', () => {
      this.open(tx);
      if (!accepted) {
        this.#finish(tx, 'declined');
        this.#emit(tx, ['CONSENT_DECLINED']);
        return;
      }
      tx.consentedAt = this.d.clock.now();
    });
  }

  chooseDocumentType(tx: DocvTransaction, type: DocumentType): StepResult {
    return this.#step(tx, 'document-type', () => {
      tx.documentType = type;
    });
  }

  upload(tx: DocvTransaction, side: UploadSide, image: { bytes: number; sha256: string }): StepResult {
    return this.#step(tx, side, () => {
      tx.uploads[side] = { ...image, at: this.d.clock.now() };
      this.#emit(tx, [UPLOAD_EVENTS[side]]);
    });
  }

  /** Submit: the result is computed once, then DOCUMENTS_UPLOADED, VERIFICATION_COMPLETED, SESSION_COMPLETE. */
  submit(tx: DocvTransaction, outcome?: DocvOutcome): StepResult {
    return this.#step(tx, 'review', () => {
      tx.outcome = outcome ?? magicOutcomeOf(tx.pii);
      tx.documentUuid = randomUUID();
      tx.result = buildDocumentVerification({
        token: tx.token,
        pii: tx.pii,
        documentType: tx.documentType ?? 'license',
        outcome: tx.outcome,
      });
      this.#finish(tx, 'completed');
      this.d.store.indexDocumentUuid(tx);
      this.#emit(tx, ['DOCUMENTS_UPLOADED', 'VERIFICATION_COMPLETED', 'SESSION_COMPLETE']);
    });
  }

  /** DOCUMENTS_UPLOAD_FAILED: the capture could not be completed (a trigger scenario). */
  failUpload(tx: DocvTransaction): StepResult {
    this.refresh(tx);
    if (tx.status !== 'pending') return { kind: 'finished', position: FINISHED[tx.status] };
    this.open(tx);
    this.#finish(tx, 'failed');
    this.#emit(tx, ['DOCUMENTS_UPLOAD_FAILED']);
    return { kind: 'done' };
  }

  /** Ends the session now, as if its time were up (the `expire` trigger). */
  expire(tx: DocvTransaction): StepResult {
    if (tx.status !== 'pending') return { kind: 'finished', position: FINISHED[tx.status] };
    tx.expiresAt = Math.min(tx.expiresAt, this.d.clock.now());
    this.refresh(tx);
    return { kind: 'done' };
  }

  /** undefined when `step` is the one due now; otherwise why it cannot run. Fires nothing but expiry. */
  check(tx: DocvTransaction, step: CaptureStep): Exclude<StepResult, { kind: 'done' }> | undefined {
    const position = this.position(tx);
    if (tx.status !== 'pending') return { kind: 'finished', position };
    if (position === step) return undefined;
    return isBehind(step, position) ? { kind: 'already', position } : { kind: 'out-of-order', position };
  }

  #step(tx: DocvTransaction, step: CaptureStep, run: () => void): StepResult {
    const refused = this.check(tx, step);
    if (refused) return refused;
    run();
    return { kind: 'done' };
  }

  #finish(tx: DocvTransaction, status: Exclude<DocvTransaction['status'], 'pending'>): void {
    tx.status = status;
    tx.finishedAt = this.d.clock.now();
  }

  #emit(tx: DocvTransaction, types: DocvEventType[]): void {
    const created = new Date(this.d.clock.now()).toISOString();
    const events = types.map((eventType): DocvEventRecord => {
      tx.events.push({ eventType, at: created });
      return {
        eventType,
        environment: tx.environment,
        referenceId: tx.referenceId,
        ...(tx.apiVersion === 'v5' ? { docvTransactionToken: tx.token } : {}),
        ...(tx.customerUserId === undefined ? {} : { customerUserId: tx.customerUserId }),
        created,
        data: dataOf(eventType, tx),
      };
    });
    this.d.deliver(events, tx);
  }
}

const ORDER: CaptureStep[] = ['consent', 'document-type', 'front', 'back', 'selfie', 'review'];
/** A step before the current one was done already (or skipped, like the back of a passport). */
const isBehind = (step: CaptureStep, position: Position) =>
  ORDER.indexOf(step) < ORDER.indexOf(position as CaptureStep);

function dataOf(eventType: DocvEventType, tx: DocvTransaction): Record<string, unknown> {
  if (eventType === 'DOCUMENTS_UPLOADED') return { uuid: tx.documentUuid, referenceId: tx.referenceId };
  if (eventType === 'VERIFICATION_COMPLETED') {
    return { documentVerification: tx.result, referenceId: tx.referenceId };
  }
  return {};
}
