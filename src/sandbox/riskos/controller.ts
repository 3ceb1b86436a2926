import { DOCV_EVENT_MESSAGES, type DocvEventType } from '../../webhooks/events.js';
import type { SandboxClock } from '../clock.js';
import { type DeliveryKnobs, type DocvTransaction, NO_KNOBS } from '../docv/types.js';
import type { DeliveryQueue } from '../webhooks/delivery.js';
import type { DocvEventRecord } from '../webhooks/payload.js';
import type { RiskOsEventRecord } from '../webhooks/riskos-payload.js';
import { EvaluationStore, evaluationView, type SandboxEvaluation } from './evaluations.js';
import { enrichment } from './workflow.js';

/** DocV events that end a step-up without a document result, and the tag the rejection carries. */
const UNFINISHED: Partial<Record<DocvEventType, string>> = {
  CONSENT_DECLINED: 'DocV Consent Declined',
  SESSION_EXPIRED: 'DocV Expired',
  DOCUMENTS_UPLOAD_FAILED: 'DocV Upload Failed',
};

/** The DocV decision → the workflow's final decision. */
const FINAL_DECISION: Record<string, string> = { accept: 'ACCEPT', reject: 'REJECT' };

export interface RiskOsControllerDeps {
  clock: SandboxClock;
  delivery: Pick<DeliveryQueue, 'enqueueRiskOs'>;
}

/**
 * The sandbox's RiskOS: its evaluations, and the bridge from a step-up's DocV transaction to the evaluation
 * (DocV progress becomes `case_notes_added`, the result completes the evaluation: `evaluation_completed`). Its
 * events go out through the same delivery queue as DocV's, to the RiskOS subscriptions.
 */
export class RiskOsController {
  readonly evaluations = new EvaluationStore();
  #claiming = false;

  constructor(private readonly d: RiskOsControllerDeps) {}

  /**
   * Runs `create` (which starts a DocV transaction synchronously) so that the transaction's first event, fired
   * before the evaluation knows its token, is kept from DocV subscriptions too.
   */
  claimingDocv<T>(create: () => T): T {
    this.#claiming = true;
    try {
      return create();
    } finally {
      this.#claiming = false;
    }
  }

  /** Sends RiskOS events of one evaluation. */
  emit(
    e: SandboxEvaluation,
    types: Array<{ eventType: string; data?: Record<string, unknown> }>,
    knobs: DeliveryKnobs = NO_KNOBS,
  ): void {
    const at = new Date(this.d.clock.now()).toISOString();
    const records: RiskOsEventRecord[] = types.map(({ eventType, data }) => ({
      eventType,
      environment: e.environment,
      evalId: e.evalId,
      at,
      data: data ?? evaluationView(e),
    }));
    this.d.delivery.enqueueRiskOs(records, knobs);
  }

  /**
   * Every DocV batch passes here first: true when its transaction is a RiskOS step-up (then its events become
   * RiskOS events and DocV subscriptions do not get them).
   */
  onDocvEvents(events: DocvEventRecord[], tx: DocvTransaction): boolean {
    if (this.#claiming) return true;
    const e = this.evaluations.byDocvToken(tx.token);
    if (!e) return false;
    const at = new Date(this.d.clock.now()).toISOString();
    const out: Array<{ eventType: string; data?: Record<string, unknown> }> = [];
    let completed = false;
    for (const event of events) {
      if (event.eventType === 'WAITING_FOR_USER_TO_REDIRECT') continue;
      out.push({ eventType: 'case_notes_added', data: this.#caseNote(e, event.eventType, at) });
      if (e.evalStatus !== 'evaluation_paused') continue;
      if (event.eventType === 'VERIFICATION_COMPLETED') {
        this.#complete(e, tx, at);
        completed = true;
      } else if (UNFINISHED[event.eventType]) {
        this.#finish(e, 'REJECT', UNFINISHED[event.eventType]!, at);
        completed = true;
      }
    }
    // After the batch's notes: the completion is the last thing a receiver hears of a step-up.
    if (completed) out.push({ eventType: 'evaluation_completed' });
    // Evaluation events carry the evaluation as it is once the whole batch is applied.
    if (out.length > 0) this.emit(e, out, tx.knobs);
    return true;
  }

  /** What HS shows of DocV progress: a note by the "Webhook" reviewer. The token is the sandbox's addition. */
  #caseNote(e: SandboxEvaluation, type: DocvEventType, at: string): Record<string, unknown> {
    return {
      eval_id: e.evalId,
      id: e.id,
      workflow: e.workflow,
      reviewer_id: 'Webhook',
      notes: DOCV_EVENT_MESSAGES[type],
      created_at: at,
      ...(e.docvToken ? { docv_transaction_token: e.docvToken } : {}),
    };
  }

  #complete(e: SandboxEvaluation, tx: DocvTransaction, at: string): void {
    const value = tx.result?.decision?.value ?? 'review';
    e.enrichments.push(
      enrichment(
        'Socure DocV',
        'Socure',
        'https://sandbox.socure.com/api/3.0/EmailAuthScore',
        200,
        { modules: ['documentverification'], docvTransactionToken: tx.token },
        { referenceId: tx.referenceId, documentVerification: tx.result },
      ),
    );
    this.#finish(e, FINAL_DECISION[value] ?? 'REVIEW', 'DocV Completed', at);
  }

  #finish(e: SandboxEvaluation, decision: string, tag: string, at: string): void {
    e.evalStatus = 'evaluation_completed';
    e.decision = decision;
    e.decisionAt = at;
    e.status = decision === 'REVIEW' ? 'OPEN' : 'CLOSED';
    e.subStatus = null;
    e.tags = [...e.tags, tag];
    e.reviewQueues = decision === 'REVIEW' ? ['Manual Review'] : [];
    e.endTime = at;
  }
}
