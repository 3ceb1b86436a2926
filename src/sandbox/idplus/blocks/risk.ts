import type { Context } from '../context.js';
import { isHighRisk } from '../scoring.js';
import type { ScoredBlock } from '../types.js';

/**
 * emailRisk / phoneRisk / addressRisk / deviceRisk: `{reasonCodes, score}`. A score of 0.8 or more
 * always carries the area's high-risk code (R520 / R620 / R720 / R406).
 */
export function emailRisk(ctx: Context): ScoredBlock {
  const band = ctx.band('email');
  const codes = isHighRisk(band)
    ? ['R520', 'R559']
    : band === 'medium'
      ? ['R561']
      : ['I520', 'I553', 'I555', 'I556'];
  if (ctx.signals.disposableEmail) codes.push('R557');
  return { reasonCodes: codes, score: ctx.score('email') };
}

export function phoneRisk(ctx: Context): ScoredBlock {
  const band = ctx.band('phone');
  const codes = isHighRisk(band) ? ['R620', 'R608'] : band === 'medium' ? ['R616'] : ['I602', 'I618', 'I620'];
  return { reasonCodes: codes, score: ctx.score('phone') };
}

export function addressRisk(ctx: Context): ScoredBlock {
  const band = ctx.band('address');
  const unit = ctx.input.physicalAddress2 ? 'I704' : 'I705';
  let codes = isHighRisk(band)
    ? ['R720', 'R705']
    : band === 'medium'
      ? ['R705']
      : [unit, 'I707', 'I708', 'I720'];
  // A PO box is not residential: drop I707 and say why.
  if (ctx.signals.poBox) codes = [...codes.filter((c) => c !== 'I707'), 'R708'];
  return { reasonCodes: codes, score: ctx.score('address') };
}

export function deviceRisk(ctx: Context): ScoredBlock {
  return { reasonCodes: isHighRisk(ctx.band('device')) ? ['R406'] : [], score: ctx.score('device') };
}
