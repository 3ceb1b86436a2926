import type { IdPlusModule } from './types.js';

/**
 * Minimum inputs per module (socure-api.md §2.2). A requirement is a list of alternatives; it holds
 * when every field of one alternative is present. Dotted names reach into objects (payments.account…).
 */
type Requirement = string[][];

const names: Requirement = [['firstName', 'surName']];
const country: Requirement = [['country']];
const fullAddress = [
  ['physicalAddress', 'city', 'state'],
  ['physicalAddress', 'zip'],
];

export const MODULE_REQUIREMENTS: Partial<Record<IdPlusModule, Requirement[]>> = {
  kyc: [names, country, [...fullAddress, ['nationalId'], ['dob']]],
  fraud: [names, country, [...fullAddress, ['mobileNumber'], ['email']]],
  synthetic: [names, country, [...fullAddress, ['mobileNumber'], ['email'], ['nationalId'], ['dob']]],
  emailrisk: [[['email']]],
  phonerisk: [[['mobileNumber']], country],
  addressrisk: [names, country, [['physicalAddress']], [['city', 'state'], ['zip']]],
  alertlist: [[['nationalId'], ['email'], ['mobileNumber']]],
  watchliststandard: [names],
  watchlistpremier: [names],
  watchlistplus: [names],
  devicerisk: [[['deviceSessionId']]],
  digitalintelligence: [[['deviceSessionId']]],
  documentverification: [[['docvTransactionToken'], ['documentUuid']]],
  social: [[['email'], ['mobileNumber']]],
  accountintelligence: [[['payments.account.accountNumber', 'payments.account.routingNumber']]],
};

// Dotted names split once, not on every lookup.
const PATHS = new Map<string, string[]>();
const pathOf = (name: string): string[] => {
  let path = PATHS.get(name);
  if (path === undefined) {
    path = name.split('.');
    PATHS.set(name, path);
  }
  return path;
};

function lookup(input: Record<string, unknown>, name: string): unknown {
  let value: unknown = input;
  for (const part of pathOf(name)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const present = (input: Record<string, unknown>, path: string) => {
  const v = lookup(input, path);
  return typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null;
};

export interface Missing {
  /** Every absent field of the unmet requirements, for `data.parameters`. */
  parameters: string[];
  /** One phrase per unmet requirement, for `msg`. */
  texts: string[];
}

/** What a module still needs (empty lists when satisfied), in a stable order. */
export function missingFor(module: IdPlusModule, input: Record<string, unknown>): Missing {
  const out: Missing = { parameters: [], texts: [] };
  for (const alternatives of MODULE_REQUIREMENTS[module] ?? []) {
    if (alternatives.some((fields) => fields.every((f) => present(input, f)))) continue;
    for (const fields of alternatives) {
      for (const f of fields) if (!present(input, f) && !out.parameters.includes(f)) out.parameters.push(f);
    }
    out.texts.push(
      alternatives.length === 1
        ? alternatives[0]!.filter((f) => !present(input, f)).join(' and ')
        : `one of ${alternatives.map((fields) => fields.join('+')).join(' | ')}`,
    );
  }
  return out;
}
