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
  const verified = (f: KycField) => sent[f] && !unresolved.has(f);
  const fieldValidations: Record<string, number> = {};
  for (const f of Object.keys(sent) as KycField[])
    fieldValidations[f] = verified(f) ? VERIFIED : NOT_VERIFIED;

  const codes: string[] = [];
  if (!sent.streetAddress) codes.push('I903');
  if (!sent.ssn) codes.push('I904');
  if (signals.lastFourSsn) codes.push('I905');
  if (!sent.dob) codes.push('I906');
  if (signals.poBox) codes.push('I911');
  const named = sent.firstName && sent.surName;
  if (named && verified('streetAddress') && sent.ssn && !signals.deceasedSsn) {
    codes.push(verified('ssn') ? 'I919' : 'I917');
  }
  if (signals.invalidSsn) codes.push('R913');
  if (signals.deceasedSsn) codes.push('R907', 'R909');
  if (sent.ssn && unresolved.has('ssn') && !signals.invalidSsn) codes.push('R901');
  if (sent.streetAddress && unresolved.has('streetAddress')) codes.push('R919');
  if (sent.dob && unresolved.has('dob')) codes.push('R922');
  if (signals.forced === 'reject' && !codes.some((c) => c.startsWith('R'))) codes.push('R902');

  const keyFields: KycField[] = ['streetAddress', 'ssn', 'dob', 'mobileNumber'];
  const severe = signals.forced === 'reject' || signals.deceasedSsn || signals.invalidSsn;
  const cvi = severe ? 10 : Math.max(10, 50 - 10 * keyFields.filter((f) => !verified(f)).length);
  const index = (a: boolean, b: boolean) => (a && b ? 12 : a || b ? 6 : 1);
  return {
    reasonCodes: codes,
    fieldValidations,
    cvi,
    correlationIndices: {
      nameAddressPhoneIndex: index(verified('streetAddress'), verified('mobileNumber')),
      nameAddressSsnIndex: index(verified('streetAddress'), verified('ssn')),
    },
  };
}
