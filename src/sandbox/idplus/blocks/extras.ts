import type { Context } from '../context.js';
import { isHighRisk, round3, unit } from '../scoring.js';
import type { AccountIntelligenceBlock, ReasonCoded, ScoredBlock } from '../types.js';

// Modules with little public evidence of their shape (socure-api.md §2.2, [1]): minimal blocks that are
// plausible and schema-valid, enough for a client to exercise its plumbing.

export function digitalIntelligence(ctx: Context): ScoredBlock {
  return { reasonCodes: isHighRisk(ctx.band('device')) ? ['R406'] : [], score: ctx.score('device') };
}

export function social(_ctx: Context): ReasonCoded {
  return { reasonCodes: [] };
}

/** Availability / ownership scores run like correlations: high = good. */
export function accountIntelligence(ctx: Context): AccountIntelligenceBlock {
  const account = (ctx.input.payments?.account ?? {}) as Record<string, unknown>;
  const u = unit('account', String(account.accountNumber), String(account.routingNumber), ctx.input.surName);
  const good = ctx.signals.forced !== 'reject';
  const s = (offset: number) =>
    round3(good ? 0.7 + 0.29 * ((u + offset) % 1) : 0.05 + 0.2 * ((u + offset) % 1));
  return { reasonCodes: [], account: { availabilityScore: s(0), ownershipScore: s(0.37) } };
}
