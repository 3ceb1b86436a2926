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

/** A requirement with its field names split into paths, once, so a check allocates nothing. */
interface CompiledRequirement {
  alternatives: string[][];
  paths: string[][][];
}
const COMPILED = new Map<IdPlusModule, CompiledRequirement[]>();
for (const [module, requirements] of Object.entries(MODULE_REQUIREMENTS)) {
  COMPILED.set(
    module as IdPlusModule,
    requirements.map((alternatives) => ({
      alternatives,
      paths: alternatives.map((fields) => fields.map((f) => f.split('.'))),
    })),
  );
}

/** A field's value as `{ ...body, ...values }` would have it: `values` (validated strings) wins over `body`. */
function lookup(body: Record<string, unknown>, values: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = values[path[0]!] ?? body[path[0]!];
  for (let i = 1; i < path.length; i++) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[path[i]!];
  }
  return value;
}

function present(body: Record<string, unknown>, values: Record<string, unknown>, path: string[]): boolean {
  const v = lookup(body, values, path);
  return typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null;
}

function allPresent(
  body: Record<string, unknown>,
  values: Record<string, unknown>,
  paths: string[][],
): boolean {
  for (const path of paths) if (!present(body, values, path)) return false;
  return true;
}

function met(
  body: Record<string, unknown>,
  values: Record<string, unknown>,
  req: CompiledRequirement,
): boolean {
  for (const paths of req.paths) if (allPresent(body, values, paths)) return true;
  return false;
}

export interface Missing {
  /** Every absent field of the unmet requirements, for `data.parameters`. */
  parameters: string[];
  /** One phrase per unmet requirement, for `msg`. */
  texts: string[];
}

/**
 * What a module still needs, in a stable order; undefined when it has everything (the usual case, which
 * allocates nothing). Fields are read from `values` first, then from the raw `body`.
 */
export function missingFor(
  module: IdPlusModule,
  body: Record<string, unknown>,
  values: Record<string, unknown>,
): Missing | undefined {
  let out: Missing | undefined;
  for (const req of COMPILED.get(module) ?? []) {
    if (met(body, values, req)) continue;
    out ??= { parameters: [], texts: [] };
    const { alternatives, paths } = req;
    for (let a = 0; a < alternatives.length; a++) {
      for (let f = 0; f < alternatives[a]!.length; f++) {
        const name = alternatives[a]![f]!;
        if (!present(body, values, paths[a]![f]!) && !out.parameters.includes(name))
          out.parameters.push(name);
      }
    }
    out.texts.push(
      alternatives.length === 1
        ? alternatives[0]!.filter((_, f) => !present(body, values, paths[0]![f]!)).join(' and ')
        : `one of ${alternatives.map((fields) => fields.join('+')).join(' | ')}`,
    );
  }
  return out;
}
