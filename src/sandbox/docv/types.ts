import type { DocvEventType } from '../../webhooks/events.js';
import type { DocumentVerificationBlock } from '../idplus/types.js';
import type { SandboxEnvironment } from '../keys.js';
import type { DocvOutcome } from './outcomes.js';

export type DocumentType = 'license' | 'passport';
export type UploadSide = 'front' | 'back' | 'selfie';

/** The person's data sent with the request; the document "shows" it back (results.ts). */
export interface DocvPii {
  firstName?: string;
  surName?: string;
  dob?: string;
  physicalAddress?: string;
  physicalAddress2?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  email?: string;
}

/** Test knobs of webhook delivery, per subscription and per transaction (either one turns a mode on). */
export interface DeliveryKnobs {
  /** Every delivery is sent twice with the same id. */
  duplicate: boolean;
  /** The final three events arrive as SESSION_COMPLETE, VERIFICATION_COMPLETED, DOCUMENTS_UPLOADED. */
  outOfOrder: boolean;
  /** Each delivery waits this long before its first attempt. */
  delayMs: number;
}

export const NO_KNOBS: DeliveryKnobs = { duplicate: false, outOfOrder: false, delayMs: 0 };

/** Where a transaction ended, if it did; `pending` ones can still expire. */
export type DocvStatus = 'pending' | 'completed' | 'declined' | 'expired' | 'failed';

/** One DocV transaction as the sandbox keeps it: in memory, never the images, only their size and digest. */
export interface DocvTransaction {
  token: string;
  referenceId: string;
  eventId: string;
  environment: SandboxEnvironment;
  apiVersion: 'v5' | 'v3';
  verificationLevel?: 1 | 2 | 3;
  /** As sent: a number stays a number in webhooks. */
  customerUserId?: string | number;
  previousReferenceId?: string;
  mobileNumber?: string;
  pii: DocvPii;
  useCaseKey?: string;
  language: string;
  /** Fixed by the request (skips the type screen) or chosen in the capture app. */
  documentType?: DocumentType;
  documentTypeFixed: boolean;
  redirect?: { method: 'GET' | 'POST'; url: string };
  sendMessage: boolean;
  url: string;
  /** Sandbox clock, ms. */
  createdAt: number;
  expiresAt: number;
  openedAt?: number;
  consentedAt?: number;
  uploads: Partial<Record<UploadSide, { bytes: number; sha256: string; at: number }>>;
  status: DocvStatus;
  finishedAt?: number;
  /** The DOCUMENTS_UPLOADED uuid, also the legacy ID+ `documentUuid`. */
  documentUuid?: string;
  outcome?: DocvOutcome;
  result?: DocumentVerificationBlock;
  knobs: DeliveryKnobs;
  /** Events fired so far, in order (what a reload must not repeat). */
  events: Array<{ eventType: DocvEventType; at: string }>;
}
