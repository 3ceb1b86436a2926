import type { Context } from '../context.js';
import type { KycBlock } from '../types.js';

// LG reads round(v) == 1 as "verified" (socure-api.md §2.3), so only these two values are used.
const VERIFIED = 0.99;
const NOT_VERIFIED = 0.01;

type KycField =
  | 'firstName'
  | 'surName'
  | 'streetAddress'
  | 'city'
  | 'state'
  | 'zip'
  | 'mobileNumber'
  | 'dob'
  | 'ssn';

/** Fields that do not resolve for this person, from the forced decision and the SSN facts. */
function unresolvedFields(ctx: Context): Set<KycField> {
  const out = new Set<KycField>();
  const forced = ctx.signals.forced;
  if (forced === 'reject')
    for (const f of ['ssn', 'dob', 'streetAddress', 'city', 'zip'] as const) out.add(f);
  if (forced === 'refer') out.add('dob');
  if (forced === 'resubmit') for (const f of ['streetAddress', 'city', 'zip'] as const) out.add(f);
  if (ctx.signals.invalidSsn) out.add('ssn');
  return out;
}

const score = (verified: boolean) => (verified ? VERIFIED : NOT_VERIFIED);
const index = (a: boolean, b: boolean) => (a && b ? 12 : a || b ? 6 : 1);

/** KYC: field validations (0.99 verified / 0.01 not), codes for what is missing or wrong, CVI. */
export function kyc(ctx: Context): KycBlock {
  const { input, signals } = ctx;
  const sent: Record<KycField, boolean> = {
    firstName: !!input.firstName,
    surName: !!input.surName,
    streetAddress: !!input.physicalAddress,
    city: !!input.city,
    state: !!input.state,
    zip: !!input.zip,
    mobileNumber: !!input.mobileNumber,
    dob: !!input.dob,
    ssn: !!input.nationalId,
  };
  const unresolved = unresolvedFields(ctx);
  // Which fields verify, computed once (no per-call closures: tsx names each one with defineProperty).
  const verified: Record<KycField, boolean> = {
    firstName: sent.firstName && !unresolved.has('firstName'),
    surName: sent.surName && !unresolved.has('surName'),
    streetAddress: sent.streetAddress && !unresolved.has('streetAddress'),
    city: sent.city && !unresolved.has('city'),
    state: sent.state && !unresolved.has('state'),
    zip: sent.zip && !unresolved.has('zip'),
    mobileNumber: sent.mobileNumber && !unresolved.has('mobileNumber'),
    dob: sent.dob && !unresolved.has('dob'),
    ssn: sent.ssn && !unresolved.has('ssn'),
  };
  const fieldValidations: Record<string, number> = {
    firstName: score(verified.firstName),
    surName: score(verified.surName),
    streetAddress: score(verified.streetAddress),
    city: score(verified.city),
    state: score(verified.state),
    zip: score(verified.zip),
    mobileNumber: score(verified.mobileNumber),
    dob: score(verified.dob),
    ssn: score(verified.ssn),
  };

  const codes: string[] = [];
  if (!sent.streetAddress) codes.push('I903');
  if (!sent.ssn) codes.push('I904');
  if (signals.lastFourSsn) codes.push('I905');
  if (!sent.dob) codes.push('I906');
  if (signals.poBox) codes.push('I911');
  const named = sent.firstName && sent.surName;
  if (named && verified.streetAddress && sent.ssn && !signals.deceasedSsn) {
    codes.push(verified.ssn ? 'I919' : 'I917');
  }
  if (signals.invalidSsn) codes.push('R913');
  if (signals.deceasedSsn) codes.push('R907', 'R909');
  if (sent.ssn && unresolved.has('ssn') && !signals.invalidSsn) codes.push('R901');
  if (sent.streetAddress && unresolved.has('streetAddress')) codes.push('R919');
  if (sent.dob && unresolved.has('dob')) codes.push('R922');
  if (signals.forced === 'reject' && !codes.some((c) => c.startsWith('R'))) codes.push('R902');

  const severe = signals.forced === 'reject' || signals.deceasedSsn || signals.invalidSsn;
  const unverifiedKeyFields =
    Number(!verified.streetAddress) +
    Number(!verified.ssn) +
    Number(!verified.dob) +
    Number(!verified.mobileNumber);
  const cvi = severe ? 10 : Math.max(10, 50 - 10 * unverifiedKeyFields);
  return {
    reasonCodes: codes,
    fieldValidations,
    cvi,
    correlationIndices: {
      nameAddressPhoneIndex: index(verified.streetAddress, verified.mobileNumber),
      nameAddressSsnIndex: index(verified.streetAddress, verified.ssn),
    },
  };
}
