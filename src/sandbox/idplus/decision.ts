import type { DecisionBlock, DecisionValue, IdPlusResult } from './types.js';

// Codes that decide on their own, whatever the scores (socure-api.md §4).
const REJECT_CODES = new Set([
  'R106',
  'R110',
  'R111',
  'R113',
  'R180',
  'R181',
  'R182',
  'R201',
  'R202',
  'R298',
  'R907',
  'R909',
  'R913',
]);
const REVIEW_CODES = new Set(['R183', 'R184', 'R185']);
const RESUBMIT_CODES = new Set(['R703', 'R708', 'R919']);

/** Risk blocks whose score counts (correlations and account scores run the other way). */
const RISK_BLOCKS = [
  'fraud',
  'synthetic',
  'emailRisk',
  'phoneRisk',
  'addressRisk',
  'deviceRisk',
  'digitalIntelligence',
] as const;

/** Every reason code of every block. */
function reasonCodesOf(result: IdPlusResult): Set<string> {
  const codes = new Set<string>();
  for (const block of Object.values(result)) {
    const rc = (block as { reasonCodes?: unknown } | undefined)?.reasonCodes;
    if (Array.isArray(rc)) for (const c of rc) codes.add(String(c));
  }
  return codes;
}

// Module-level helpers rather than closures per call (cheaper, esp. under tsx, which names every closure).
function anyIn(codes: Set<string>, set: Set<string>): boolean {
  for (const c of codes) if (set.has(c)) return true;
  return false;
}

/** The worst risk score among the blocks of a response. */
export function worstScore(result: IdPlusResult): number {
  let worst = 0;
  for (const key of RISK_BLOCKS) {
    const block = result[key] as { score?: number; scores?: Array<{ score: number }> } | undefined;
    if (block === undefined) continue;
    const s = block.score;
    if (typeof s === 'number' && s > worst) worst = s;
    for (const x of block.scores ?? []) {
      if (typeof x.score === 'number' && x.score > worst) worst = x.score;
    }
  }
  return worst;
}

/**
 * The decision follows from what the response shows, so a client can explain it from the blocks:
 * reject (hard hit, score ≥ 0.95 or a DocV reject) > review (PEP-type hit or ≥ 0.8) > resubmit (address to fix)
 * > refer (≥ 0.5, step up to DocV) > accept. A magic surName forces its value; a referral with a finished DocV
 * result in the same call takes the DocV decision (how a step-up completes).
 */
export function decide(result: IdPlusResult, forced: DecisionValue | undefined): DecisionBlock {
  const block = result.documentVerification;
  const docv = block && 'decision' in block ? block.decision.value : undefined;
  let value: DecisionValue = 'accept';
  if (forced) value = forced;
  else {
    const codes = reasonCodesOf(result);
    const worst = worstScore(result);
    if (anyIn(codes, REJECT_CODES) || worst >= 0.95 || docv === 'reject') value = 'reject';
    else if (anyIn(codes, REVIEW_CODES) || worst >= 0.8 || docv === 'review') value = 'review';
    else if (anyIn(codes, RESUBMIT_CODES) || docv === 'resubmit') value = 'resubmit';
    else if (worst >= 0.5) value = 'refer';
  }
  // "refer" means "step up to DocV": once a finished DocV result is part of the call, it settles the referral.
  if (value === 'refer' && docv !== undefined) value = docv as DecisionValue;
  return { value, modelName: 'sandbox', modelVersion: '1.0' };
}
