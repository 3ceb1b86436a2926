import type { SandboxEnvironment } from '../keys.js';
import { ENVIRONMENT_NAMES } from '../webhooks/payload.js';

export type SandboxEvalStatus = 'evaluation_completed' | 'evaluation_paused';

/** One enrichment of an evaluation, as RiskOS reports it (socure-api.md §10). */
export interface SandboxEnrichment {
  enrichment_name: string;
  enrichment_provider: string;
  enrichment_endpoint: string;
  status_code: number;
  request: unknown;
  response: unknown;
  is_source_cache: boolean;
  total_attempts: number;
  error: string | null;
}

/** One evaluation as the sandbox keeps it (in memory). */
export interface SandboxEvaluation {
  evalId: string;
  id: string;
  workflow: string;
  environment: SandboxEnvironment;
  /** The request's `data`, with PATCHes merged in. */
  data: Record<string, unknown>;
  evalStatus: SandboxEvalStatus;
  decision: string;
  decisionAt: string;
  /** OPEN | ON_HOLD | CLOSED */
  status: string;
  subStatus: string | null;
  score: number | null;
  tags: string[];
  notes: string[];
  reviewQueues: string[];
  enrichments: SandboxEnrichment[];
  startTime: string;
  endTime: string | null;
  /** The DocV transaction of a step-up. */
  docvToken?: string;
}

/** The evaluation answer (and the `data` of evaluation webhooks). */
export function evaluationView(e: SandboxEvaluation): Record<string, unknown> {
  return {
    id: e.id,
    eval_id: e.evalId,
    workflow: e.workflow,
    workflow_id: `sandbox-${e.workflow}`,
    workflow_version: '1.0.0',
    eval_status: e.evalStatus,
    decision: e.decision,
    decision_at: e.decisionAt,
    score: e.score,
    status: e.status,
    sub_status: e.subStatus,
    eval_source: 'API',
    eval_start_time: e.startTime,
    eval_end_time: e.endTime,
    tags: e.tags,
    notes: e.notes.join('\n'),
    review_queues: e.reviewQueues,
    computed: {},
    environment_name: ENVIRONMENT_NAMES[e.environment],
    data_enrichments: e.enrichments,
  };
}

const MAX_EVALUATIONS = 10_000;

/** Evaluations by eval_id, and the evaluation of each step-up's DocV token; bounded (oldest dropped). */
export class EvaluationStore {
  readonly #byEvalId = new Map<string, SandboxEvaluation>();
  readonly #byToken = new Map<string, string>();

  add(e: SandboxEvaluation): void {
    if (this.#byEvalId.size >= MAX_EVALUATIONS) {
      const oldest = this.#byEvalId.values().next().value as SandboxEvaluation;
      this.#byEvalId.delete(oldest.evalId);
      if (oldest.docvToken) this.#byToken.delete(oldest.docvToken);
    }
    this.#byEvalId.set(e.evalId, e);
    if (e.docvToken) this.#byToken.set(e.docvToken, e.evalId);
  }

  get(evalId: string): SandboxEvaluation | undefined {
    return this.#byEvalId.get(evalId);
  }

  byDocvToken(token: string): SandboxEvaluation | undefined {
    const evalId = this.#byToken.get(token);
    return evalId === undefined ? undefined : this.#byEvalId.get(evalId);
  }
}
