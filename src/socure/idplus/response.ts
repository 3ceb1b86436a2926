import { z } from 'zod';

/**
 * ID+ response contract: seed 004 plus the blocks real responses carry (socure-api.md §2.3).
 * Objects are loose (unknown fields pass through untouched); scores and enums are strict, so a
 * response that breaks the contract is reported rather than coerced.
 */
export const score01 = z.number().min(0, 'score below 0').max(1, 'score above 1');
const reasonCodes = z.array(z.string());

export const DECISION_VALUES = ['accept', 'reject', 'review', 'refer', 'resubmit'] as const;
export type DecisionValue = (typeof DECISION_VALUES)[number];

export const riskScoreSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  score: score01.optional(),
  scores: z
    .array(z.looseObject({ name: z.string(), version: z.string().optional(), score: score01 }))
    .optional(),
});

export const sigmaSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  scores: z
    .array(z.looseObject({ name: z.string().optional(), version: z.string().optional(), score: score01 }))
    .optional(),
});

export const kycSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  fieldValidations: z.record(z.string(), score01).optional(),
  cvi: z.number().int().optional(),
  correlationIndices: z
    .looseObject({
      nameAddressPhoneIndex: z.number().int().optional(),
      nameAddressSsnIndex: z.number().int().optional(),
    })
    .optional(),
  /** The older KYC decision block (e.g. modelName "SOCURE_FIX", status "REFER"). */
  decision: z
    .looseObject({
      modelName: z.string().optional(),
      modelVersion: z.string().optional(),
      status: z.string(),
    })
    .optional(),
  socureId: z.string().optional(),
});

export const watchlistMatchSchema = z.looseObject({
  entityId: z.string().optional(),
  matchFields: z.array(z.string()).optional(),
  sourceUrls: z.array(z.string()).optional(),
  comments: z.record(z.string(), z.unknown()).optional(),
  matchScore: z.number().min(0).max(100).optional(),
});

export const globalWatchlistSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  /** Keyed by source list name, e.g. "OFAC SDN List", "PEP Data". */
  matches: z.record(z.string(), z.array(watchlistMatchSchema)).optional(),
});

/** Seed 004's `watchlist.global.sources` shape. */
export const watchlistSchema = z.looseObject({
  global: z
    .looseObject({
      sources: z
        .array(
          z.looseObject({ sourceListName: z.string().optional(), matchCount: z.number().int().optional() }),
        )
        .optional(),
    })
    .optional(),
});

export const alertListSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  matches: z
    .array(
      z.looseObject({
        element: z.string().optional(),
        datasetName: z.string().optional(),
        reason: z.string().optional(),
        industryName: z.string().optional(),
        lastReportedDate: z.string().optional(),
        reportedCount: z.number().optional(),
      }),
    )
    .optional(),
});

export const decisionSchema = z.looseObject({
  value: z.enum(DECISION_VALUES),
  name: z.string().optional(),
  modelName: z.string().optional(),
  modelVersion: z.string().optional(),
  ruleSet: z.string().optional(),
  version: z.string().optional(),
});

export const documentVerificationSchema = z.looseObject({
  reasonCodes: reasonCodes.optional(),
  documentType: z
    .looseObject({
      type: z.string().optional(),
      country: z.string().optional(),
      state: z.string().optional(),
    })
    .optional(),
  decision: z
    .looseObject({ name: z.string().optional(), value: z.enum(['accept', 'reject', 'review', 'resubmit']) })
    .optional(),
  documentData: z
    .looseObject({
      firstName: z.string().optional(),
      surName: z.string().optional(),
      middleName: z.string().optional(),
      nameSuffix: z.string().optional(),
      fullName: z.string().optional(),
      address: z.string().optional(),
      parsedAddress: z.record(z.string(), z.unknown()).optional(),
      documentNumber: z.string().optional(),
      dob: z.string().optional(),
      issueDate: z.string().optional(),
      expirationDate: z.string().optional(),
    })
    .optional(),
});

export const idPlusResponseSchema = z.looseObject({
  referenceId: z.string().min(1, 'referenceId is missing'),
  customerProfile: z
    .looseObject({ customerUserId: z.string().optional(), userId: z.string().optional() })
    .optional(),
  kyc: kycSchema.optional(),
  fraud: sigmaSchema.optional(),
  synthetic: sigmaSchema.optional(),
  emailRisk: riskScoreSchema.optional(),
  phoneRisk: riskScoreSchema.optional(),
  addressRisk: riskScoreSchema.optional(),
  nameAddressCorrelation: riskScoreSchema.optional(),
  namePhoneCorrelation: riskScoreSchema.optional(),
  nameEmailCorrelation: riskScoreSchema.optional(),
  alertList: alertListSchema.optional(),
  globalWatchlist: globalWatchlistSchema.optional(),
  watchlist: watchlistSchema.optional(),
  deviceRisk: riskScoreSchema.optional(),
  deviceIdentityCorrelation: riskScoreSchema.optional(),
  documentVerification: documentVerificationSchema.optional(),
  decision: decisionSchema.optional(),
});

export type IdPlusResponse = z.infer<typeof idPlusResponseSchema>;
export type DocumentVerification = z.infer<typeof documentVerificationSchema>;

/** All reason codes of a response, module by module, in response order. */
export function reasonCodesByModule(response: IdPlusResponse): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(response)) {
    if (
      value &&
      typeof value === 'object' &&
      Array.isArray((value as { reasonCodes?: unknown }).reasonCodes)
    ) {
      out[key] = (value as { reasonCodes: string[] }).reasonCodes;
    }
  }
  return out;
}
