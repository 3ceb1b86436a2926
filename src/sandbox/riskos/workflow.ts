import { randomUUID } from 'node:crypto';
import { createDocvTransaction } from '../docv/create.js';
import { evaluateIdPlus } from '../idplus/engine.js';
import { validateIdPlusRequest } from '../idplus/validate.js';
import type { SandboxEnvironment } from '../keys.js';
import type { SandboxState } from '../state.js';
import type { SandboxEnrichment, SandboxEvaluation } from './evaluations.js';
import { type ForcedRiskOsOutcome, personaOutcomeOf } from './personas.js';

/** The workflows the sandbox knows; RiskOS's are configured in its console, these are built in. */
export const SANDBOX_WORKFLOWS = ['consumer_onboarding'] as const;
export const isSandboxWorkflow = (v: string) => (SANDBOX_WORKFLOWS as readonly string[]).includes(v);

/** The ID+ modules `consumer_onboarding` runs in one enrichment. */
const ONBOARDING_MODULES = ['kyc', 'fraud', 'watchliststandard', 'decision'];
const ID_PLUS_ENDPOINT = 'https://sandbox.socure.com/api/3.0/EmailAuthScore';
const DOC_REQUEST_ENDPOINT = 'https://sandbox.socure.com/api/5.0/documents/request';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** `data.individual` in ID+ wire names (socure-api.md §2.1 ↔ §10); blanks left out. */
export function idPlusBodyOf(data: Obj, modules: string[] = ONBOARDING_MODULES): Obj {
  const p = obj(data.individual);
  const a = obj(p.address);
  const fields: Obj = {
    firstName: str(p.given_name),
    middleName: str(p.middle_name),
    surName: str(p.family_name),
    dob: str(p.date_of_birth),
    nationalId: str(p.national_id),
    email: str(p.email),
    mobileNumber: str(p.phone_number),
    physicalAddress: str(a.line_1),
    physicalAddress2: str(a.line_2),
    city: str(a.locality),
    state: str(a.major_admin_division),
    zip: str(a.postal_code),
    country: str(a.country),
    ipAddress: str(data.ip_address),
  };
  const body: Obj = { modules };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body[k] = v;
  return body;
}

export function enrichment(
  name: string,
  provider: string,
  endpoint: string,
  status: number,
  request: unknown,
  response: unknown,
): SandboxEnrichment {
  return {
    enrichment_name: name,
    enrichment_provider: provider,
    enrichment_endpoint: endpoint,
    status_code: status,
    request,
    response,
    is_source_cache: false,
    total_attempts: 1,
    error: status >= 400 ? `${provider} answered ${status}` : null,
  };
}

type IdPlusOutcome = { enrichment: SandboxEnrichment; decision?: string; score?: number };

/** The ID+ enrichment: the sandbox's own ID+ logic, so its magic inputs decide here too. */
function runIdPlus(data: Obj, persona: ForcedRiskOsOutcome | undefined): IdPlusOutcome {
  const body = idPlusBodyOf(data);
  // A persona's SSN is one of Socure's test numbers (invalid by the ID+ magic): it is not scored.
  if (persona) delete body.nationalId;
  const valid = validateIdPlusRequest(body);
  const referenceId = randomUUID();
  if (!valid.ok) {
    const error = { status: 'Error', referenceId, data: { parameters: valid.parameters }, msg: valid.msg };
    if (!persona)
      return { enrichment: enrichment('Socure Verify', 'Socure', ID_PLUS_ENDPOINT, 400, body, error) };
    return {
      enrichment: enrichment('Socure Verify', 'Socure', ID_PLUS_ENDPOINT, 200, body, { referenceId }),
    };
  }
  const result = evaluateIdPlus(valid.input);
  const fraud = result.fraud?.scores?.[0]?.score;
  return {
    enrichment: enrichment('Socure Verify', 'Socure', ID_PLUS_ENDPOINT, 200, body, {
      referenceId,
      ...result,
    }),
    decision: result.decision?.value,
    ...(fraud === undefined ? {} : { score: fraud }),
  };
}

type Verdict =
  | { kind: 'final'; decision: string; status: string; tags: string[]; queues: string[] }
  | { kind: 'step-up' };

function verdictOf(persona: ForcedRiskOsOutcome | undefined, idPlus: IdPlusOutcome): Verdict {
  const final = (decision: string, tags: string[] = [], queues: string[] = []): Verdict => ({
    kind: 'final',
    decision,
    status: decision === 'REVIEW' ? 'OPEN' : 'CLOSED',
    tags,
    queues,
  });
  if (persona === 'accept') return final('ACCEPT', ['Sandbox Persona']);
  if (persona === 'reject') return final('REJECT', ['Sandbox Persona']);
  if (persona === 'step-up') return { kind: 'step-up' };
  if (idPlus.enrichment.status_code >= 400) return final('REJECT', ['Verify Error']);
  switch (idPlus.decision) {
    case 'accept':
      return final('ACCEPT');
    case 'reject':
      return final('REJECT');
    case 'refer':
      return { kind: 'step-up' };
    case 'resubmit':
      return final('REVIEW', ['Resubmit'], ['Manual Review']);
    default:
      return final('REVIEW', [], ['Manual Review']);
  }
}

export interface EvaluationInput {
  workflow: string;
  id: string;
  data: Obj;
}

/**
 * Runs `consumer_onboarding`: the ID+ enrichment decides, a persona overrides it; "refer" pauses the evaluation
 * with a DocV transaction (the `SocureDocRequest` enrichment) that the capture app completes.
 */
export async function runWorkflow(
  state: SandboxState,
  input: EvaluationInput,
  environment: SandboxEnvironment,
  origin: string,
): Promise<SandboxEvaluation> {
  const now = new Date(state.clock.now()).toISOString();
  const p = obj(input.data.individual);
  const persona = personaOutcomeOf(str(p.national_id), str(p.date_of_birth));
  const idPlus = runIdPlus(input.data, persona);
  const verdict = verdictOf(persona, idPlus);
  const evaluation: SandboxEvaluation = {
    evalId: randomUUID(),
    id: input.id,
    workflow: input.workflow,
    environment,
    data: input.data,
    evalStatus: 'evaluation_completed',
    decision: 'REVIEW',
    decisionAt: now,
    status: 'OPEN',
    subStatus: null,
    score: idPlus.score ?? null,
    tags: [],
    notes: [],
    reviewQueues: [],
    enrichments: [idPlus.enrichment],
    startTime: now,
    endTime: now,
  };
  if (verdict.kind === 'final') {
    Object.assign(evaluation, {
      decision: verdict.decision,
      status: verdict.status,
      tags: verdict.tags,
      reviewQueues: verdict.queues,
    });
    return evaluation;
  }
  const docv = obj(p.docv);
  const config = obj(docv.config);
  const redirect = obj(config.redirect);
  const a = obj(p.address);
  const request = {
    config: {
      ...(str(config.use_case_key) ? { useCaseKey: str(config.use_case_key) } : {}),
      language: str(config.language) ?? 'en',
      ...(str(config.document_type) ? { documentType: str(config.document_type) } : {}),
      ...(str(redirect.url)
        ? { redirect: { method: str(redirect.method) ?? 'POST', url: str(redirect.url) } }
        : {}),
      sendMessage: config.send_message === true,
    },
    ...(str(p.phone_number) ? { mobileNumber: str(p.phone_number) } : {}),
  };
  const answer = await createDocvTransaction(
    state,
    {
      apiVersion: 'v5',
      pii: {
        ...(str(p.given_name) ? { firstName: str(p.given_name) } : {}),
        ...(str(p.family_name) ? { surName: str(p.family_name) } : {}),
        ...(str(p.date_of_birth) ? { dob: str(p.date_of_birth) } : {}),
        ...(str(a.country) ? { country: str(a.country) } : {}),
      },
      language: request.config.language,
      ...(request.config.documentType === 'license' || request.config.documentType === 'passport'
        ? { documentType: request.config.documentType }
        : {}),
      ...(request.config.redirect
        ? {
            redirect: {
              method: request.config.redirect.method === 'GET' ? 'GET' : 'POST',
              url: request.config.redirect.url!,
            },
          }
        : {}),
      ...(request.mobileNumber ? { mobileNumber: request.mobileNumber } : {}),
      ...(request.config.useCaseKey ? { useCaseKey: request.config.useCaseKey } : {}),
      sendMessage: request.config.sendMessage && request.mobileNumber !== undefined,
    },
    environment,
    origin,
  );
  evaluation.enrichments.push(
    enrichment('Socure DocV Request', 'SocureDocRequest', DOC_REQUEST_ENDPOINT, 200, request, answer),
  );
  Object.assign(evaluation, {
    evalStatus: 'evaluation_paused',
    decision: 'REVIEW',
    status: 'ON_HOLD',
    subStatus: 'Awaiting Customer Response',
    tags: ['DocV Step-Up'],
    endTime: null,
    docvToken: answer.data.docvTransactionToken,
  });
  return evaluation;
}
