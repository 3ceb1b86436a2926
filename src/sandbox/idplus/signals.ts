import {
  forcedDecisionOf,
  isAlertListEmail,
  isAlertListPhone,
  isDeceasedSsn,
  isPolitician,
  isRiskyDevice,
  isSanctioned,
  isStockPersona,
  isSyntheticIdentity,
} from './magic.js';
import type { DecisionValue, IdPlusInput } from './types.js';

/** Facts about an input that drive reason codes: magic values plus what any real check would see. */
export interface Signals {
  /** A decision forced by a magic surName; the stock persona without other magic forces accept. */
  forced: DecisionValue | undefined;
  sanctioned: boolean;
  politician: boolean;
  syntheticIdentity: boolean;
  deceasedSsn: boolean;
  invalidSsn: boolean;
  lastFourSsn: boolean;
  disposableEmail: boolean;
  poBox: boolean;
  alertListEmail: boolean;
  alertListPhone: boolean;
  riskyDevice: boolean;
}

export const DISPOSABLE_EMAIL_DOMAINS = [
  'mailinator.com',
  'guerrillamail.com',
  '10minutemail.com',
  'yopmail.com',
  'tempmail.com',
  'trashmail.com',
];

/** SSA never issues area 000, 666 or 900-999, group 00 or serial 0000. */
export function isInvalidSsn(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = Number(digits.slice(0, 3));
  return (
    area === 0 || area === 666 || area >= 900 || digits.slice(3, 5) === '00' || digits.slice(5) === '0000'
  );
}

const PO_BOX = /\bp\.?\s*o\.?\s*box\b|\bpost\s+office\s+box\b/i;

/** Whether any signal other than `forced` and `lastFourSsn` is set (a loop: no entry arrays per request). */
function anyMagicHit(signals: Signals): boolean {
  for (const k in signals) {
    if (k !== 'forced' && k !== 'lastFourSsn' && signals[k as keyof Signals] === true) return true;
  }
  return false;
}

export function signalsOf(input: IdPlusInput): Signals {
  const domain = input.email?.split('@')[1]?.toLowerCase();
  const ssn = input.nationalId;
  const signals: Signals = {
    forced: forcedDecisionOf(input),
    sanctioned: isSanctioned(input),
    politician: isPolitician(input),
    syntheticIdentity: isSyntheticIdentity(input),
    deceasedSsn: isDeceasedSsn(input),
    invalidSsn: ssn !== undefined && isInvalidSsn(ssn),
    lastFourSsn: ssn?.length === 4,
    disposableEmail: domain !== undefined && DISPOSABLE_EMAIL_DOMAINS.includes(domain),
    poBox: PO_BOX.test(`${input.physicalAddress ?? ''} ${input.physicalAddress2 ?? ''}`),
    alertListEmail: isAlertListEmail(input),
    alertListPhone: isAlertListPhone(input),
    riskyDevice: isRiskyDevice(input),
  };
  // The stock persona is a clean accept, unless the caller added a magic value to it (e.g. an alert-list
  // e-mail): then that value decides, so magic inputs compose with --stock-persona.
  if (signals.forced === undefined && !anyMagicHit(signals) && isStockPersona(input))
    signals.forced = 'accept';
  return signals;
}
