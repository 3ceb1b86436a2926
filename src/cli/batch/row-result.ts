import {
  SocureAuthenticationError,
  SocureBadRequestError,
  SocureConnectionError,
  SocureError,
  SocureInputError,
  SocureNotFoundError,
  SocurePermissionDeniedError,
  SocureRateLimitError,
  SocureResponseValidationError,
  SocureServerError,
  SocureTimeoutError,
} from '../../socure/errors.js';
import type { IdPlusResponse } from '../../socure/idplus/response.js';
import type { JournalRecord, ModuleResult } from './journal.js';

/** The headline score of a module block: `score`, or the first of `scores[]`. */
function headlineScore(block: object): number | undefined {
  const b = block as { score?: unknown; scores?: Array<{ score?: unknown }> };
  if (typeof b.score === 'number') return b.score;
  const first = Array.isArray(b.scores) ? b.scores[0]?.score : undefined;
  return typeof first === 'number' ? first : undefined;
}

/** What the journal keeps of an answer: referenceId, decision, each module's score and reason codes. No input. */
export function doneRecord(line: number, res: IdPlusResponse): JournalRecord {
  const m: Record<string, ModuleResult> = {};
  for (const [module, block] of Object.entries(res)) {
    if (module === 'referenceId' || module === 'customerProfile' || module === 'decision') continue;
    if (!block || typeof block !== 'object' || Array.isArray(block)) continue;
    const codes = (block as { reasonCodes?: unknown }).reasonCodes;
    const score = headlineScore(block);
    m[module] = {
      ...(score === undefined ? {} : { score }),
      codes: Array.isArray(codes) ? codes.map(String) : [],
    };
  }
  return { l: line, s: 'done', ref: res.referenceId, decision: res.decision?.value, m };
}

/** A failure's kind, for "errors by kind": short, stable names; never a message (it could quote the input). */
export function errorKind(err: unknown): string {
  if (err instanceof SocureRateLimitError) return 'rate-limited';
  if (err instanceof SocureAuthenticationError) return 'authentication';
  if (err instanceof SocurePermissionDeniedError) return 'permission-denied';
  if (err instanceof SocureBadRequestError) return 'bad-request';
  if (err instanceof SocureNotFoundError) return 'not-found';
  if (err instanceof SocureServerError) return 'server-error';
  if (err instanceof SocureTimeoutError) return 'timeout';
  if (err instanceof SocureConnectionError) return 'connection';
  if (err instanceof SocureResponseValidationError) return 'invalid-response';
  if (err instanceof SocureInputError) return 'input';
  if (err instanceof SocureError && err.status !== undefined) return `http-${err.status}`;
  return 'other';
}

export function errorRecord(line: number, err: unknown): JournalRecord {
  const e = err instanceof SocureError ? err : undefined;
  return {
    l: line,
    s: 'error',
    kind: errorKind(err),
    ...(e?.status === undefined ? {} : { status: e.status }),
    ...(e?.referenceId === undefined ? {} : { ref: e.referenceId }),
  };
}

/** Failures that every following row would hit too: the batch stops rather than burn through the file. */
export const isFatal = (err: unknown) =>
  err instanceof SocureAuthenticationError || err instanceof SocurePermissionDeniedError;
