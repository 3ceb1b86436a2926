import type { Context } from '../context.js';
import { isHighRisk, round3, unitOfText } from '../scoring.js';
import type { IdPlusResult, ScoredBlock } from '../types.js';

/** Correlation scores run the other way: high = the name belongs with the element. */
function correlation(matches: boolean, good: string[], bad: string[], u: number): ScoredBlock {
  return matches
    ? { reasonCodes: good, score: round3(0.9 + 0.09 * u) }
    : { reasonCodes: bad, score: round3(0.01 + 0.19 * u) };
}

/**
 * name↔address / name↔phone / name↔email correlations, returned with fraud or kyc when the inputs
 * exist (socure-api.md §2.3). They agree with the matching risk blocks: a high-risk phone does not
 * also "resolve to the person".
 */
export function correlations(ctx: Context): Partial<IdPlusResult> {
  const { input, signals } = ctx;
  const out: Partial<IdPlusResult> = {};
  if (!(input.firstName && input.surName)) return out;
  const rejected = signals.forced === 'reject';
  // unit(`correlation:${what}`, firstName, surName, value), from the parts normalised once per request.
  const n = ctx.normalised;
  const names = `${n.firstName}\u0000${n.surName}`;
  if (input.physicalAddress) {
    const ok = !rejected && signals.forced !== 'resubmit' && !isHighRisk(ctx.band('address'));
    out.nameAddressCorrelation = correlation(
      ok,
      ['I708', 'I709', 'I710'],
      ['R705'],
      unitOfText(`correlation:address\u0000${names}\u0000${n.physicalAddress}`),
    );
  }
  if (input.mobileNumber) {
    const ok = !rejected && !isHighRisk(ctx.band('phone'));
    out.namePhoneCorrelation = correlation(
      ok,
      ['I618'],
      ['R608'],
      unitOfText(`correlation:phone\u0000${names}\u0000${n.mobileNumber}`),
    );
  }
  if (input.email) {
    const ok = !rejected && !isHighRisk(ctx.band('email'));
    out.nameEmailCorrelation = correlation(
      ok,
      ['I556'],
      ['R559'],
      unitOfText(`correlation:email\u0000${names}\u0000${n.email}`),
    );
  }
  return out;
}
