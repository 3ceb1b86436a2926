import { type Band, scoreIn, unit, worseBand } from './scoring.js';
import { type Signals, signalsOf } from './signals.js';
import type { DecisionValue, IdPlusInput } from './types.js';

/** The risk areas that carry a 0..1 risk score (higher = riskier). */
export type RiskArea = 'fraud' | 'synthetic' | 'email' | 'phone' | 'address' | 'device';
const AREAS: RiskArea[] = ['fraud', 'synthetic', 'email', 'phone', 'address', 'device'];

/** Everything the block builders read: the input, its signals, and one band + score per area. */
export interface Context {
  input: IdPlusInput;
  signals: Signals;
  band: Record<RiskArea, Band>;
  score: Record<RiskArea, number>;
}

/** Which inputs each area's hash covers, so changing an e-mail does not move the phone score. */
function partsOf(area: RiskArea, i: IdPlusInput): Array<string | undefined> {
  switch (area) {
    case 'fraud':
    case 'synthetic':
      return [
        i.firstName,
        i.surName,
        i.dob,
        i.nationalId,
        i.email,
        i.mobileNumber,
        i.physicalAddress,
        i.zip,
        i.country,
      ];
    case 'email':
      return [i.email, i.firstName, i.surName];
    case 'phone':
      return [i.mobileNumber, i.country];
    case 'address':
      return [i.physicalAddress, i.physicalAddress2, i.city, i.state, i.zip, i.country];
    case 'device':
      return [i.deviceSessionId];
  }
}

/** Bands a forced decision implies; areas not named stay low, so the decision follows from the scores. */
const FORCED_BANDS: Record<DecisionValue, Partial<Record<RiskArea, Band>>> = {
  accept: {},
  refer: { fraud: 'medium' },
  review: { fraud: 'elevated' },
  resubmit: { address: 'medium' },
  reject: { fraud: 'high', synthetic: 'elevated', email: 'elevated', phone: 'elevated', address: 'elevated' },
};

/** Bands the input's own facts demand, whatever else is forced. */
function signalBand(area: RiskArea, s: Signals): Band {
  if (area === 'fraud' && (s.deceasedSsn || s.invalidSsn)) return 'high';
  if (area === 'synthetic' && s.syntheticIdentity) return 'high';
  if (area === 'email' && s.disposableEmail) return 'elevated';
  if (area === 'device' && s.riskyDevice) return 'high';
  return 'low';
}

/** Fixed scores promised by the magic table. */
function fixedScore(area: RiskArea, s: Signals): number | undefined {
  if (area === 'synthetic' && s.syntheticIdentity) return 0.99;
  if (area === 'device' && s.riskyDevice) return 0.95;
  return undefined;
}

export function contextOf(input: IdPlusInput): Context {
  const signals = signalsOf(input);
  const band = {} as Record<RiskArea, Band>;
  const score = {} as Record<RiskArea, number>;
  for (const area of AREAS) {
    const parts = partsOf(area, input);
    // Unforced people: mostly low risk, a few percent moderately risky in any one area.
    const base: Band = signals.forced
      ? (FORCED_BANDS[signals.forced][area] ?? 'low')
      : unit(`band:${area}`, ...parts) < 0.04
        ? 'medium'
        : 'low';
    band[area] = worseBand(base, signalBand(area, signals));
    score[area] = fixedScore(area, signals) ?? scoreIn(band[area], unit(`score:${area}`, ...parts));
  }
  return { input, signals, band, score };
}
