import { correlations } from './blocks/correlation.js';
import { accountIntelligence, digitalIntelligence, social } from './blocks/extras.js';
import { kyc } from './blocks/kyc.js';
import { alertList, globalWatchlist } from './blocks/lists.js';
import { addressRisk, deviceRisk, emailRisk, phoneRisk } from './blocks/risk.js';
import { fraud, synthetic } from './blocks/sigma.js';
import { Context } from './context.js';
import { decide } from './decision.js';
import { type DocumentVerificationSource, stubDocumentVerification } from './docv-stub.js';
import type { IdPlusInput, IdPlusResult } from './types.js';

/** What the engine needs from outside; DocV results come from here so a later issue can plug in real transactions. */
export interface EngineDeps {
  documentVerification: DocumentVerificationSource;
  /**
   * Whether the stand-in device collector issued a `deviceSessionId` (device/sessions.ts); `invalid` → R402.
   * Without it every id is taken as it is.
   */
  deviceSession?: (deviceSessionId: string) => 'known' | 'invalid' | 'unchecked';
}

export const DEFAULT_DEPS: EngineDeps = { documentVerification: stubDocumentVerification };

/**
 * The pure scoring engine: a validated request in, the 200 body (minus referenceId) out.
 * No clock, no randomness: the same input always gives the same result.
 */
export function evaluateIdPlus(input: IdPlusInput, deps: EngineDeps = DEFAULT_DEPS): IdPlusResult {
  const ctx = new Context(input);
  const want = new Set<string>(input.modules);
  const result: IdPlusResult = {};
  if (input.customerUserId !== undefined || input.userId !== undefined) {
    result.customerProfile = {};
    if (input.customerUserId !== undefined) result.customerProfile.customerUserId = input.customerUserId;
    if (input.userId !== undefined) result.customerProfile.userId = input.userId;
  }
  if (want.has('kyc')) result.kyc = kyc(ctx);
  if (want.has('fraud')) result.fraud = fraud(ctx);
  if (want.has('synthetic')) result.synthetic = synthetic(ctx);
  if (want.has('emailrisk')) result.emailRisk = emailRisk(ctx);
  if (want.has('phonerisk')) result.phoneRisk = phoneRisk(ctx);
  if (want.has('addressrisk')) result.addressRisk = addressRisk(ctx);
  if (want.has('fraud') || want.has('kyc')) Object.assign(result, correlations(ctx));
  if (want.has('alertlist')) result.alertList = alertList(ctx);
  if (want.has('watchliststandard') || want.has('watchlistpremier') || want.has('watchlistplus')) {
    result.globalWatchlist = globalWatchlist(ctx);
  }
  if (want.has('devicerisk')) {
    const invalid =
      input.deviceSessionId !== undefined && deps.deviceSession?.(input.deviceSessionId) === 'invalid';
    // R402: a device token the collector never issued (socure-api.md §4); the score stays deterministic.
    result.deviceRisk = invalid ? { ...deviceRisk(ctx), reasonCodes: ['R402'] } : deviceRisk(ctx);
  }
  if (want.has('digitalintelligence')) result.digitalIntelligence = digitalIntelligence(ctx);
  if (want.has('social')) result.social = social(ctx);
  if (want.has('accountintelligence')) result.accountIntelligence = accountIntelligence(ctx);
  const docvReference = input.docvTransactionToken ?? input.documentUuid;
  if (want.has('documentverification') && docvReference !== undefined) {
    result.documentVerification = deps.documentVerification(docvReference, input);
  }
  if (want.has('decision')) result.decision = decide(result, ctx.signals.forced);
  return result;
}
