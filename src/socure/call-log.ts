/**
 * The Socure calls made while a piece of work runs (a flow step), for the audit trail: endpoint, status and
 * reference id, never a body. The transport reports into whichever log the caller opened with `collectCalls`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

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

const log = new AsyncLocalStorage<SocureCall[]>();

/** Runs `fn` and returns what it returned with the Socure calls it made. */
export async function collectCalls<T>(
  fn: () => Promise<T>,
): Promise<{ calls: SocureCall[]; value?: T; error?: unknown }> {
  const calls: SocureCall[] = [];
  try {
    return { calls, value: await log.run(calls, fn) };
  } catch (error) {
    return { calls, error };
  }
}

/** The open log, if any (the transport skips its bookkeeping when nobody collects). */
export function openCallLog(): SocureCall[] | undefined {
  return log.getStore();
}
