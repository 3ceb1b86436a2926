import type { IdPlusModule } from '../../socure/idplus/modules.js';
import type { DecisionValue } from '../../socure/idplus/response.js';

export type { DecisionValue, IdPlusModule };

/** A request that passed the sandbox's validation, with strict fields in their canonical form. */
export interface IdPlusInput {
  modules: IdPlusModule[];
  customerUserId?: string;
  userId?: string;
  firstName?: string;
  middleName?: string;
  surName?: string;
  /** YYYY-MM-DD */
  dob?: string;
  /** Digits only: 9, or the last 4. */
  nationalId?: string;
  email?: string;
  /** E.164 without separators. */
  mobileNumber?: string;
  physicalAddress?: string;
  physicalAddress2?: string;
  city?: string;
  state?: string;
  /** Digits only for US zips. */
  zip?: string;
  /** Upper-case ISO 3166-1 alpha-2. */
  country?: string;
  ipAddress?: string;
  deviceSessionId?: string;
  docvTransactionToken?: string;
  documentUuid?: string;
  payments?: Record<string, unknown>;
}

export interface ReasonCoded {
  reasonCodes: string[];
}
export interface ScoredBlock extends ReasonCoded {
  score: number;
}
export interface SigmaBlock extends ReasonCoded {
  scores: Array<{ name: string; version: string; score: number }>;
}
export interface KycBlock extends ReasonCoded {
  fieldValidations: Record<string, number>;
  cvi: number;
  correlationIndices: { nameAddressPhoneIndex: number; nameAddressSsnIndex: number };
}
export interface AlertListMatch {
  element: string;
  datasetName: string;
  reason: string;
  industryName: string;
  lastReportedDate: string;
  reportedCount: number;
}
export interface AlertListBlock extends ReasonCoded {
  matches: AlertListMatch[];
}
export interface WatchlistMatch {
  entityId: string;
  matchFields: string[];
  sourceUrls: string[];
  comments: Record<string, string[]>;
  matchScore: number;
}
export interface GlobalWatchlistBlock extends ReasonCoded {
  matches: Record<string, WatchlistMatch[]>;
}
export interface DocumentVerificationBlock extends ReasonCoded {
  /** No `state` on a passport. */
  documentType: { type: string; country: string; state?: string };
  decision: { name: string; value: 'accept' | 'reject' | 'review' | 'resubmit' };
  documentData: {
    firstName: string;
    surName: string;
    fullName: string;
    address: string;
    parsedAddress: {
      physicalAddress: string;
      physicalAddress2?: string;
      city: string;
      state: string;
      country: string;
      zip: string;
    };
    documentNumber: string;
    dob: string;
    issueDate: string;
    expirationDate: string;
  };
}
/** A known DocV transaction without a result yet: Socure answers the block with no codes and no decision. */
export interface PendingDocumentVerification {
  reasonCodes: [];
}
export interface AccountIntelligenceBlock extends ReasonCoded {
  account: { availabilityScore: number; ownershipScore: number };
}
export interface DecisionBlock {
  value: DecisionValue;
  modelName: string;
  modelVersion: string;
}

/** A 200 body without its referenceId (the route adds a fresh one), keys in Socure's spelling. */
export interface IdPlusResult {
  customerProfile?: { customerUserId?: string; userId?: string };
  kyc?: KycBlock;
  fraud?: SigmaBlock;
  synthetic?: SigmaBlock;
  emailRisk?: ScoredBlock;
  phoneRisk?: ScoredBlock;
  addressRisk?: ScoredBlock;
  nameAddressCorrelation?: ScoredBlock;
  namePhoneCorrelation?: ScoredBlock;
  nameEmailCorrelation?: ScoredBlock;
  alertList?: AlertListBlock;
  globalWatchlist?: GlobalWatchlistBlock;
  deviceRisk?: ScoredBlock;
  digitalIntelligence?: ScoredBlock;
  social?: ReasonCoded;
  accountIntelligence?: AccountIntelligenceBlock;
  documentVerification?: DocumentVerificationBlock | PendingDocumentVerification;
  decision?: DecisionBlock;
}
