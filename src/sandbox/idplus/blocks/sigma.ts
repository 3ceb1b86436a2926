import type { Context } from '../context.js';
import { isHighRisk } from '../scoring.js';
import type { SigmaBlock } from '../types.js';

const sigma = (reasonCodes: string[], score: number): SigmaBlock => ({
  reasonCodes,
  scores: [{ name: 'sigma', version: '4.0', score }],
});

/** Sigma Identity Fraud. SSN facts name themselves (R201 invalid, R202 deceased); else R203 when high. */
export function fraud(ctx: Context): SigmaBlock {
  const { input, signals } = ctx;
  const band = ctx.band('fraud');
  const codes: string[] = [];
  if (signals.invalidSsn) codes.push('R201');
  if (signals.deceasedSsn) codes.push('R202');
  if (codes.length === 0) {
    if (isHighRisk(band)) codes.push('R203');
    else if (band === 'medium') codes.push('R208');
    else if (input.nationalId?.length === 9 && input.physicalAddress && input.firstName) codes.push('I201');
  }
  return sigma(codes, ctx.score('fraud'));
}

/** Sigma Synthetic Fraud: R298 for the magic synthetic identity, R299 when otherwise high. */
export function synthetic(ctx: Context): SigmaBlock {
  const band = ctx.band('synthetic');
  const codes = ctx.signals.syntheticIdentity
    ? ['R298']
    : isHighRisk(band)
      ? ['R299']
      : band === 'medium'
        ? ['R207']
        : [];
  return sigma(codes, ctx.score('synthetic'));
}
