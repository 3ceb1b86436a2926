import { SocureInputError, SocureResponseValidationError } from '../errors.js';
import { inputErrorFrom } from '../idplus/request.js';
import type { TransportRequest, TransportResponse } from '../transport.js';
import {
  buildRiskOsRequest,
  type RiskOsEvaluationPatch,
  type RiskOsEvaluationRequest,
  type RiskOsStateChange,
  riskOsPatchSchema,
  riskOsStateSchema,
} from './request.js';
import { describeEvaluation, type RiskOsEvaluationResult, riskOsEvaluationSchema } from './response.js';

/** What the resource needs of its client: one send that throws the error class of a non-2xx answer. */
export interface RiskOsSender {
  send(req: TransportRequest): Promise<{ json: unknown; response: TransportResponse }>;
}

/** PATCH and PUT answers are not documented: a body without `eval_id` is read as that evaluation's. */
function withEvalId(json: unknown, evalId: string): unknown {
  if (json === undefined || json === null || json === '') return { eval_id: evalId };
  if (typeof json === 'object' && !Array.isArray(json) && !('eval_id' in json))
    return { ...json, eval_id: evalId };
  return json;
}

const EVAL_ID = /^[\w.~-]{1,200}$/;

function evalPath(evalId: unknown, suffix = ''): string {
  if (typeof evalId !== 'string' || !EVAL_ID.test(evalId))
    throw new SocureInputError('evalId', 'expected the eval_id of an evaluation (letters, digits, - _ . ~)');
  return `/api/evaluation/${evalId}${suffix}`;
}

/** Checks a 2xx body against the evaluation contract; a breach raises an error carrying the raw body. */
export function parseRiskOsEvaluation(json: unknown, response: TransportResponse): RiskOsEvaluationResult {
  const parsed = riskOsEvaluationSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SocureResponseValidationError(
      `RiskOS's evaluation answer breaks the contract: ${issues.join('; ')}`,
      {
        body: json ?? response.text,
        issues,
      },
    );
  }
  return describeEvaluation(parsed.data, response.statusCode);
}

/**
 * The RiskOS Evaluation API: `POST /api/evaluation`, `GET` / `PATCH /api/evaluation/{eval_id}`, `PUT
 * /api/evaluation/{eval_id}/state`. Each validates its input before any network call (SocureInputError naming
 * the field), throws the client's error classes for non-2xx answers, and answers a `RiskOsEvaluationResult`.
 */
export class EvaluationsResource {
  constructor(private readonly client: RiskOsSender) {}

  /**
   * Runs an evaluation of `workflow`. 200 (completed) and 201 (paused, e.g. for a DocV step-up) both succeed:
   * check `paused` and `stepUp`. `id` is generated when absent; sending an id again re-runs that evaluation.
   */
  async create(request: RiskOsEvaluationRequest): Promise<RiskOsEvaluationResult> {
    const body = buildRiskOsRequest(request);
    const { json, response } = await this.client.send({
      method: 'POST',
      path: '/api/evaluation',
      body: JSON.stringify(body),
    });
    return parseRiskOsEvaluation(json, response);
  }

  /** The evaluation as it stands now (e.g. after a paused step-up finished). */
  async get(evalId: string): Promise<RiskOsEvaluationResult> {
    const { json, response } = await this.client.send({ method: 'GET', path: evalPath(evalId) });
    return parseRiskOsEvaluation(json, response);
  }

  /** Adds or replaces `data` of a paused evaluation (RiskOS refuses it once the evaluation has finished). */
  async update(evalId: string, patch: RiskOsEvaluationPatch): Promise<RiskOsEvaluationResult> {
    const path = evalPath(evalId);
    const parsed = riskOsPatchSchema.safeParse(patch);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    const { json, response } = await this.client.send({
      method: 'PATCH',
      path,
      body: JSON.stringify(parsed.data),
    });
    return parseRiskOsEvaluation(withEvalId(json, evalId), response);
  }

  /** A reviewer's decision: `{ workflow, decision: ACCEPT|REJECT|REVIEW|RESUBMIT|CANCEL, status, notes? }`. */
  async setState(evalId: string, state: RiskOsStateChange): Promise<RiskOsEvaluationResult> {
    const path = evalPath(evalId, '/state');
    const parsed = riskOsStateSchema.safeParse(state);
    if (!parsed.success) throw inputErrorFrom(parsed.error);
    const { json, response } = await this.client.send({
      method: 'PUT',
      path,
      body: JSON.stringify(parsed.data),
    });
    return parseRiskOsEvaluation(withEvalId(json, evalId), response);
  }
}
