import { z } from 'zod';
import { stringThen } from '../../shared/length-checks.js';
import { createQrPng } from '../docv/qr.js';

/**
 * The RiskOS evaluation answer (socure-api.md §10). Tolerant on input: objects are loose (a field Socure adds
 * is kept), `decision` and `eval_status` are open strings (Socure's own spec disagrees on the values), nulls
 * are accepted wherever a value may be missing. Only `eval_id` is required.
 */

export const RISKOS_EVAL_STATUSES = [
  'evaluation_completed',
  'evaluation_paused',
  'evaluation_in_progress',
] as const;
export type RiskOsEvalStatus = (typeof RISKOS_EVAL_STATUSES)[number];

/** Decisions seen in Socure's spec; others (customised workflows) pass through as they are. */
export const RISKOS_KNOWN_DECISIONS = [
  'ACCEPT',
  'REVIEW',
  'REJECT',
  'APPROVE',
  'DECLINE',
  'RESUBMIT',
  'CANCEL',
] as const;

const maybeString = z.string().nullish();

export const riskOsEnrichmentSchema = z.looseObject({
  enrichment_name: maybeString,
  enrichment_provider: maybeString,
  enrichment_endpoint: maybeString,
  status_code: z.number().nullish(),
  request: z.unknown().optional(),
  response: z.unknown().optional(),
  is_source_cache: z.boolean().nullish(),
  total_attempts: z.number().nullish(),
  error: z.unknown().optional(),
});
export type RiskOsEnrichment = z.infer<typeof riskOsEnrichmentSchema>;

export const riskOsEvaluationSchema = z.looseObject({
  id: maybeString,
  eval_id: stringThen(z.string().min(1, 'eval_id is missing')),
  workflow: maybeString,
  workflow_id: maybeString,
  workflow_version: z.union([z.string(), z.number()]).nullish(),
  eval_status: z.string().nullish(),
  decision: maybeString,
  decision_at: maybeString,
  score: z.number().nullish(),
  status: maybeString,
  sub_status: maybeString,
  eval_source: maybeString,
  eval_start_time: maybeString,
  eval_end_time: maybeString,
  tags: z.array(z.string()).nullish(),
  notes: z.unknown().optional(),
  review_queues: z.array(z.unknown()).nullish(),
  computed: z.unknown().optional(),
  environment_name: maybeString,
  data_enrichments: z.array(riskOsEnrichmentSchema).nullish(),
});
export type RiskOsEvaluation = z.infer<typeof riskOsEvaluationSchema>;

/** The DocV step-up a paused evaluation asks for: the link (and QR code) to give the person. */
export interface RiskOsDocvStepUp {
  docvTransactionToken: string;
  url: string;
  /** PNG data URL: Socure's when sent, else drawn locally from `url`. */
  qrCode: string;
  eventId?: string;
  referenceId?: string;
}

/** An enrichment that failed inside an answered evaluation (status ≥ 400, or an `error`). */
export interface RiskOsFailedEnrichment {
  name: string;
  provider?: string;
  statusCode?: number;
  /** What the provider said (`msg`/`message`), when it said something readable. */
  message?: string;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

const isDocRequest = (e: RiskOsEnrichment) =>
  e.enrichment_provider?.toLowerCase() === 'socuredocrequest' ||
  (e.enrichment_endpoint ?? '').includes('/documents/request');

/**
 * The DocV step-up of an evaluation: the `SocureDocRequest` enrichment's `response.data` (token, url, qrCode).
 * Undefined when the workflow asked for none.
 */
export function docvStepUpOf(evaluation: RiskOsEvaluation): RiskOsDocvStepUp | undefined {
  for (const e of evaluation.data_enrichments ?? []) {
    if (!isDocRequest(e)) continue;
    const response = record(e.response);
    const data = record(response?.data);
    const token = str(data?.docvTransactionToken) ?? str(data?.docVTransactionToken);
    const url = str(data?.url);
    if (!token || !url) continue;
    const qr = str(data?.qrCode);
    return {
      docvTransactionToken: token,
      url,
      qrCode: qr?.startsWith('data:image/') ? qr : createQrPng(url),
      ...(str(data?.eventId) ? { eventId: str(data?.eventId) } : {}),
      ...(str(response?.referenceId) ? { referenceId: str(response?.referenceId) } : {}),
    };
  }
  return undefined;
}

const MAX_DEPTH = 8;

/** Every `reasonCodes` list inside a value (ID+ answers nest them per module), bounded in depth. */
function collectReasonCodes(value: unknown, into: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collectReasonCodes(item, into, depth + 1);
    return;
  }
  const obj = record(value);
  if (!obj) return;
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'reasonCodes' && Array.isArray(v)) {
      for (const code of v) if (typeof code === 'string') into.add(code);
    } else collectReasonCodes(v, into, depth + 1);
  }
}

/** The reason codes of every enrichment's answer, deduplicated and sorted (RiskOS has no top-level list). */
export function reasonCodesOf(evaluation: RiskOsEvaluation): string[] {
  const codes = new Set<string>();
  for (const e of evaluation.data_enrichments ?? []) collectReasonCodes(e.response, codes, 0);
  return [...codes].sort();
}

/** The enrichments that failed although the evaluation answered (RiskOS still answers 200, often REJECT). */
export function failedEnrichmentsOf(evaluation: RiskOsEvaluation): RiskOsFailedEnrichment[] {
  const failed: RiskOsFailedEnrichment[] = [];
  for (const e of evaluation.data_enrichments ?? []) {
    const status = e.status_code ?? undefined;
    const error = e.error ?? undefined;
    if (!(status !== undefined && status >= 400) && (error === undefined || error === null || error === ''))
      continue;
    const response = record(e.response);
    const message = str(response?.msg) ?? str(response?.message) ?? str(error) ?? str(record(error)?.message);
    failed.push({
      name: e.enrichment_name ?? e.enrichment_provider ?? 'enrichment',
      ...(e.enrichment_provider ? { provider: e.enrichment_provider } : {}),
      ...(status === undefined ? {} : { statusCode: status }),
      ...(message ? { message } : {}),
    });
  }
  return failed;
}

/** An evaluation with what callers usually need read out of it. */
export interface RiskOsEvaluationResult {
  /** The answer as RiskOS sent it (validated, unknown fields kept). */
  evaluation: RiskOsEvaluation;
  /** 200 (completed or in progress) or 201 (paused: partially processed). */
  httpStatus: number;
  evalId: string;
  evalStatus: string | undefined;
  /** The workflow's decision (an open string); not final while the evaluation is paused. */
  decision: string | undefined;
  completed: boolean;
  paused: boolean;
  /** The DocV step-up to hand to the person, when the evaluation paused for one. */
  stepUp: RiskOsDocvStepUp | undefined;
  reasonCodes: string[];
  failedEnrichments: RiskOsFailedEnrichment[];
}

export function describeEvaluation(evaluation: RiskOsEvaluation, httpStatus: number): RiskOsEvaluationResult {
  const evalStatus = evaluation.eval_status ?? undefined;
  return {
    evaluation,
    httpStatus,
    evalId: evaluation.eval_id,
    evalStatus,
    decision: evaluation.decision ?? undefined,
    completed: evalStatus === 'evaluation_completed',
    paused: evalStatus === 'evaluation_paused' || (httpStatus === 201 && evalStatus === undefined),
    stepUp: docvStepUpOf(evaluation),
    reasonCodes: reasonCodesOf(evaluation),
    failedEnrichments: failedEnrichmentsOf(evaluation),
  };
}
