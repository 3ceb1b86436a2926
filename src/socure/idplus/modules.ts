import { SocureModuleRuleError } from '../errors.js';

/** ID+ module names as Socure spells them on the wire (socure-api.md §2.2). */
export const ID_PLUS_MODULES = [
  'kyc',
  'fraud',
  'synthetic',
  'emailrisk',
  'phonerisk',
  'addressrisk',
  'decision',
  'alertlist',
  'watchliststandard',
  'watchlistpremier',
  'watchlistplus',
  'devicerisk',
  'documentverification',
  'social',
  'digitalintelligence',
  'accountintelligence',
] as const;

export type IdPlusModule = (typeof ID_PLUS_MODULES)[number];

export const WATCHLIST_MODULES: readonly IdPlusModule[] = [
  'watchliststandard',
  'watchlistpremier',
  'watchlistplus',
];

export const MODULE_LABELS: Record<IdPlusModule, string> = {
  kyc: 'KYC',
  fraud: 'Sigma Identity Fraud',
  synthetic: 'Sigma Synthetic Fraud',
  emailrisk: 'Email RiskScore',
  phonerisk: 'Phone RiskScore',
  addressrisk: 'Address RiskScore',
  decision: 'Decision',
  alertlist: 'Alert List',
  watchliststandard: 'Global Watchlist Standard',
  watchlistpremier: 'Global Watchlist Premier',
  watchlistplus: 'Global Watchlist Plus',
  devicerisk: 'Device Risk',
  documentverification: 'Document Verification',
  social: 'Social',
  digitalintelligence: 'Digital Intelligence',
  accountintelligence: 'Account Intelligence',
};

/** The inputs the rules look at, after normalisation. */
export interface ModuleRuleInput {
  firstName?: string | undefined;
  surName?: string | undefined;
  country?: string | undefined;
  physicalAddress?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  zip?: string | undefined;
  nationalId?: string | undefined;
  dob?: string | undefined;
  email?: string | undefined;
  mobileNumber?: string | undefined;
  deviceSessionId?: string | undefined;
  docvTransactionToken?: string | undefined;
  documentUuid?: string | undefined;
}

type Requirement = { check: (r: ModuleRuleInput) => boolean; missing: string };

// `unknown`: additionalFields may carry any JSON value under a known name (Socure answers 400 for a wrong type).
const has = (v: unknown) => (typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null);
const names: Requirement = {
  check: (r) => has(r.firstName) && has(r.surName),
  missing: 'firstName and surName',
};
const country: Requirement = { check: (r) => has(r.country), missing: 'country' };
const fullAddress = (r: ModuleRuleInput) =>
  has(r.physicalAddress) && ((has(r.city) && has(r.state)) || has(r.zip));

/** Minimum inputs per module, as Footprint's requirements.rs implements them (socure-api.md §2.2). */
const REQUIREMENTS: Partial<Record<IdPlusModule, Requirement[]>> = {
  kyc: [
    names,
    country,
    {
      check: (r) => fullAddress(r) || has(r.nationalId) || has(r.dob),
      missing: 'one of a full address (physicalAddress with city+state or zip), nationalId or dob',
    },
  ],
  fraud: [
    names,
    country,
    {
      check: (r) => fullAddress(r) || has(r.mobileNumber) || has(r.email),
      missing: 'one of a full address, mobileNumber or email',
    },
  ],
  synthetic: [
    names,
    country,
    {
      check: (r) => fullAddress(r) || has(r.mobileNumber) || has(r.email) || has(r.nationalId) || has(r.dob),
      missing: 'one of a full address, mobileNumber, email, nationalId or dob',
    },
  ],
  emailrisk: [{ check: (r) => has(r.email), missing: 'email' }],
  phonerisk: [{ check: (r) => has(r.mobileNumber), missing: 'mobileNumber' }, country],
  addressrisk: [
    names,
    country,
    { check: (r) => has(r.physicalAddress), missing: 'physicalAddress' },
    { check: (r) => (has(r.city) && has(r.state)) || has(r.zip), missing: 'city and state, or zip' },
  ],
  alertlist: [
    {
      check: (r) => has(r.nationalId) || has(r.email) || has(r.mobileNumber),
      missing: 'one of nationalId, email or mobileNumber',
    },
  ],
  watchliststandard: [names],
  watchlistpremier: [names],
  watchlistplus: [names],
  devicerisk: [{ check: (r) => has(r.deviceSessionId), missing: 'deviceSessionId' }],
  documentverification: [
    {
      check: (r) => has(r.docvTransactionToken) || has(r.documentUuid),
      missing: 'docvTransactionToken (or legacy documentUuid)',
    },
  ],
};

const KNOWN: ReadonlySet<string> = new Set(ID_PLUS_MODULES);
const WATCHLISTS: ReadonlySet<string> = new Set(WATCHLIST_MODULES);

export function isIdPlusModule(name: string): name is IdPlusModule {
  return KNOWN.has(name);
}

/**
 * Checks the module list and each module's minimum inputs before anything is sent.
 * Throws SocureModuleRuleError naming the module and what is missing.
 */
export function checkModuleRules(modules: readonly string[], input: ModuleRuleInput): void {
  if (modules.length === 0) throw new SocureModuleRuleError('modules', 'select at least one module');
  for (const m of modules) {
    if (!isIdPlusModule(m)) {
      throw new SocureModuleRuleError(m, `unknown module; known modules are ${ID_PLUS_MODULES.join(', ')}`);
    }
  }
  // Plain loops: this runs on every call, and the checks allocate nothing when they pass.
  let watchlistCount = 0;
  let onlyDecision = true;
  for (const m of modules) {
    if (WATCHLISTS.has(m)) watchlistCount++;
    if (m !== 'decision') onlyDecision = false;
  }
  if (watchlistCount > 1) {
    const watchlists = modules.filter((m) => WATCHLISTS.has(m));
    throw new SocureModuleRuleError(
      watchlists[1]!,
      `only one Global Watchlist module per call (got ${watchlists.join(', ')})`,
    );
  }
  if (onlyDecision) {
    throw new SocureModuleRuleError('decision', 'the decision module needs at least one other module');
  }
  for (const m of modules as IdPlusModule[]) {
    let missing: string[] | undefined;
    for (const req of REQUIREMENTS[m] ?? []) {
      if (req.check(input)) continue;
      missing ??= [];
      missing.push(req.missing);
    }
    if (missing !== undefined) {
      throw new SocureModuleRuleError(m, `missing ${missing.join('; ')}`, missing);
    }
  }
}
