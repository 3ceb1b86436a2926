import { type Band, normalisePart, scoreIn, unitOfText, worseBand } from './scoring.js';
import { type Signals, signalsOf } from './signals.js';
import type { DecisionValue, IdPlusInput } from './types.js';

/** The risk areas that carry a 0..1 risk score (higher = riskier). */
export type RiskArea = 'fraud' | 'synthetic' | 'email' | 'phone' | 'address' | 'device';

/** The inputs the hashes read, each normalised once per request as `unit` would (see scoring.ts). */
export interface NormalisedInput {
  firstName: string;
  surName: string;
  dob: string;
  nationalId: string;
  email: string;
  mobileNumber: string;
  physicalAddress: string;
  physicalAddress2: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  deviceSessionId: string;
}

function normalise(i: IdPlusInput): NormalisedInput {
  return {
    firstName: normalisePart(i.firstName),
    surName: normalisePart(i.surName),
    dob: normalisePart(i.dob),
    nationalId: normalisePart(i.nationalId),
    email: normalisePart(i.email),
    mobileNumber: normalisePart(i.mobileNumber),
    physicalAddress: normalisePart(i.physicalAddress),
    physicalAddress2: normalisePart(i.physicalAddress2),
    city: normalisePart(i.city),
    state: normalisePart(i.state),
    zip: normalisePart(i.zip),
    country: normalisePart(i.country),
    deviceSessionId: normalisePart(i.deviceSessionId),
  };
}

/**
 * Which inputs each area's hash covers, so changing an e-mail does not move the phone score: the
 * normalised parts joined with NUL, as `unit` joins them after its label.
 */
function partsOf(area: RiskArea, n: NormalisedInput): string {
  switch (area) {
    case 'fraud':
    case 'synthetic':
      return `${n.firstName}\u0000${n.surName}\u0000${n.dob}\u0000${n.nationalId}\u0000${n.email}\u0000${n.mobileNumber}\u0000${n.physicalAddress}\u0000${n.zip}\u0000${n.country}`;
    case 'email':
      return `${n.email}\u0000${n.firstName}\u0000${n.surName}`;
    case 'phone':
      return `${n.mobileNumber}\u0000${n.country}`;
    case 'address':
      return `${n.physicalAddress}\u0000${n.physicalAddress2}\u0000${n.city}\u0000${n.state}\u0000${n.zip}\u0000${n.country}`;
    case 'device':
      return n.deviceSessionId;
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

/**
 * Everything the block builders read: the input, its signals, and one band + score per risk area.
 * An area is rated on first use (two digests at most): a request rates only the areas its modules read.
 */
export class Context {
  readonly signals: Signals;
  /** The hashed inputs, normalised: `unitOfText(label + '\0' + parts)` equals `unit(label, …raw parts)`. */
  readonly normalised: NormalisedInput;
  private readonly bands: Partial<Record<RiskArea, Band>> = {};
  private readonly scores: Partial<Record<RiskArea, number>> = {};

  constructor(readonly input: IdPlusInput) {
    this.signals = signalsOf(input);
    this.normalised = normalise(input);
  }

  band(area: RiskArea): Band {
    return this.bands[area] ?? this.rate(area);
  }

  score(area: RiskArea): number {
    if (this.scores[area] === undefined) this.rate(area);
    return this.scores[area]!;
  }

  private rate(area: RiskArea): Band {
    const { signals } = this;
    const parts = partsOf(area, this.normalised);
    // Unforced people: mostly low risk, a few percent moderately risky in any one area.
    const base: Band = signals.forced
      ? (FORCED_BANDS[signals.forced][area] ?? 'low')
      : unitOfText(`band:${area}\u0000${parts}`) < 0.04
        ? 'medium'
        : 'low';
    const band = worseBand(base, signalBand(area, signals));
    this.bands[area] = band;
    this.scores[area] = fixedScore(area, signals) ?? scoreIn(band, unitOfText(`score:${area}\u0000${parts}`));
    return band;
  }
}
