import { STOCK_PERSONA } from '../../socure/stock-persona.js';
import type { FaultKind } from '../faults.js';
import type { DecisionValue, IdPlusInput } from './types.js';

/**
 * Inputs that force an outcome, so tests and demos can reach every branch on purpose.
 * Matching is case-insensitive. Printed by the README and `socure-connector sandbox --magic`.
 */
export interface MagicInput {
  field: string;
  value: string;
  effect: string;
}

export const MAGIC_INPUTS: MagicInput[] = [
  {
    field: 'firstName+surName+dob',
    value: `${STOCK_PERSONA.firstName} ${STOCK_PERSONA.surName} ${STOCK_PERSONA.dob}`,
    effect: "Socure's stock persona: clean accept, low scores, informational (I) codes only",
  },
  { field: 'surName', value: 'Accept', effect: 'decision accept; low scores, informational codes' },
  {
    field: 'surName',
    value: 'Refer',
    effect:
      'decision refer; fraud score 0.5-0.75 (R208), kyc R922 when dob sent; with a finished DocV token in the same call, the DocV decision (step-up)',
  },
  { field: 'surName', value: 'Review', effect: 'decision review; fraud score 0.8-0.94 (R203)' },
  {
    field: 'surName',
    value: 'Resubmit',
    effect: 'decision resubmit; address not resolved (kyc R919, addressRisk R705)',
  },
  {
    field: 'surName',
    value: 'Reject',
    effect: 'decision reject; fraud 0.95+ (R203), other scores 0.8+, kyc R901/R919/R922',
  },
  { field: 'surName', value: 'Sanctioned', effect: 'globalWatchlist OFAC SDN hit (R180, R186) → reject' },
  { field: 'surName', value: 'Politician', effect: 'globalWatchlist PEP hit (R184, R186) → review' },
  { field: 'surName', value: 'Synthetic', effect: 'synthetic score 0.99 with R298 → reject' },
  { field: 'email', value: '<anything>@alertlist.example', effect: 'alertList email hit R110 → reject' },
  { field: 'mobileNumber', value: '+15555550100', effect: 'alertList phone hit R113 → reject' },
  { field: 'nationalId', value: '078-05-1120', effect: 'deceased SSN: fraud R202, kyc R907 + R909 → reject' },
  { field: 'deviceSessionId', value: 'risky-device', effect: 'deviceRisk score 0.95 with R406 → reject' },
  {
    field: 'nationalId',
    value: 'area 000/666/900-999, group 00 or serial 0000',
    effect: 'invalid SSN: fraud R201, kyc R913 → reject',
  },
  {
    field: 'email',
    value:
      'disposable domain (mailinator.com, guerrillamail.com, 10minutemail.com, yopmail.com, tempmail.com, trashmail.com)',
    effect: 'emailRisk R557 + R520, score 0.8-0.94 → review',
  },
  { field: 'physicalAddress', value: 'PO Box …', effect: 'addressRisk R708, kyc I911 → resubmit' },
  { field: 'customerUserId', value: 'fault-429', effect: '429 with Retry-After: 1 and an error body' },
  { field: 'customerUserId', value: 'fault-500', effect: '500 with an error body' },
  { field: 'customerUserId', value: 'fault-503', effect: '503 with an error body' },
  { field: 'customerUserId', value: 'fault-slow', effect: 'answers normally after 3 s' },
  { field: 'customerUserId', value: 'fault-malformed', effect: '200 whose body is not valid JSON' },
  { field: 'customerUserId', value: 'fault-reset', effect: 'the connection is destroyed without an answer' },
  { field: 'customerUserId', value: 'fault-badscore', effect: '200 with a score of 1.7' },
  { field: 'customerUserId', value: 'fault-baddecision', effect: '200 with decision.value "maybe"' },
  { field: 'customerUserId', value: 'fault-noreference', effect: '200 without referenceId' },
  {
    field: 'customerUserId',
    value: 'fault-<kind>-x<N>[-<anything>]',
    effect: 'the fault fires only the first N times for that exact customerUserId, then answers normally',
  },
];

const lower = (v: string | undefined) => v?.trim().toLowerCase();

/** A surName that forces a decision (Accept, Refer, Review, Resubmit, Reject). */
export function forcedDecisionOf(input: IdPlusInput): DecisionValue | undefined {
  const s = lower(input.surName);
  return s === 'accept' || s === 'refer' || s === 'review' || s === 'resubmit' || s === 'reject'
    ? s
    : undefined;
}

export function isStockPersona(input: IdPlusInput): boolean {
  return (
    lower(input.firstName) === STOCK_PERSONA.firstName.toLowerCase() &&
    lower(input.surName) === STOCK_PERSONA.surName.toLowerCase() &&
    input.dob === STOCK_PERSONA.dob
  );
}

export const isSanctioned = (input: IdPlusInput) => lower(input.surName) === 'sanctioned';
export const isPolitician = (input: IdPlusInput) => lower(input.surName) === 'politician';
export const isSyntheticIdentity = (input: IdPlusInput) => lower(input.surName) === 'synthetic';
export const isAlertListEmail = (input: IdPlusInput) =>
  lower(input.email)?.endsWith('@alertlist.example') === true;
export const isAlertListPhone = (input: IdPlusInput) => input.mobileNumber === '+15555550100';
export const isDeceasedSsn = (input: IdPlusInput) => input.nationalId === '078051120';
export const isRiskyDevice = (input: IdPlusInput) => lower(input.deviceSessionId) === 'risky-device';

/** Faults a customerUserId can ask for: the run-wide kinds plus three that corrupt a 200 body. */
export type MagicFaultKind = FaultKind | 'badscore' | 'baddecision' | 'noreference';
export interface MagicFault {
  kind: MagicFaultKind;
  /** Fire only the first N times for this exact customerUserId; undefined = always. */
  times: number | undefined;
}

const MAGIC_FAULT =
  /^fault-(429|500|503|slow|malformed|reset|badscore|baddecision|noreference)(?:-x(\d+))?(?:-.*)?$/i;

/** `fault-503-x2-run7` → { kind: '503', times: 2 }; anything else → undefined. */
export function magicFaultOf(customerUserId: string | undefined): MagicFault | undefined {
  const m = customerUserId === undefined ? null : MAGIC_FAULT.exec(customerUserId.trim());
  if (!m) return undefined;
  return {
    kind: m[1]!.toLowerCase() as MagicFaultKind,
    times: m[2] === undefined ? undefined : Number(m[2]),
  };
}
