/**
 * A Socure call as the audit trail records it: endpoint, status and reference id, never a body. A client made
 * with `client.withCallLog(calls)` appends one per request it sends (after its retries).
 */
export interface SocureCall {
  method: string;
  /** The request path without its query. */
  endpoint: string;
  /** The HTTP status, or null when no answer came (timeout, connection error). */
  status: number | null;
  referenceId: string | null;
  /** Attempts made, when an answer came (a failure's count is not known here). */
  attempts: number | null;
  durationMs: number;
}
