import type { MagicFaultKind } from './magic.js';

/** Magic faults that break a 200 body rather than the transport; the client must refuse such bodies. */
export type ContentFaultKind = Extract<MagicFaultKind, 'badscore' | 'baddecision' | 'noreference'>;

export const isContentFault = (kind: MagicFaultKind): kind is ContentFaultKind =>
  kind === 'badscore' || kind === 'baddecision' || kind === 'noreference';

type Body = Record<string, unknown>;
const SCORED = ['fraud', 'synthetic', 'emailRisk', 'phoneRisk', 'addressRisk', 'deviceRisk'] as const;

/** Corrupts a finished body in place: a score of 1.7, decision "maybe", or no referenceId. */
export function corruptBody(body: Body, kind: ContentFaultKind): void {
  if (kind === 'noreference') {
    delete body.referenceId;
    return;
  }
  if (kind === 'baddecision') {
    body.decision = {
      modelName: 'sandbox',
      modelVersion: '1.0',
      ...(body.decision as Body | undefined),
      value: 'maybe',
    };
    return;
  }
  const key = SCORED.find((k) => body[k] !== undefined);
  if (key === 'fraud' || key === 'synthetic') {
    const block = body[key] as { scores: Array<{ score: number }> };
    block.scores[0]!.score = 1.7;
  } else if (key) {
    (body[key] as { score: number }).score = 1.7;
  } else {
    // No scored module was requested: add one, since the point is a score out of range.
    body.fraud = { reasonCodes: [], scores: [{ name: 'sigma', version: '4.0', score: 1.7 }] };
  }
}
