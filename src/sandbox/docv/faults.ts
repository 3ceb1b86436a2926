import type { FastifyReply, FastifyRequest } from 'fastify';
import { BoundedCounter } from '../bounded-counter.js';
import { type FaultContext, playFault } from '../fault-responses.js';
import type { FaultKind } from '../faults.js';
import { type MagicFaultKind, magicFaultOf } from '../idplus/magic.js';
import { DEFAULT_SLOW_MS } from '../options.js';

/**
 * The customerUserId fault magic of ID+ (`fault-<kind>[-x<N>][-…]`, see idplus/magic.ts), on a DocV document
 * request: the transport faults (429, 500, 503, slow, malformed, reset) and `noreference` (a 200 answer without
 * `referenceId`). `badscore` and `baddecision` corrupt a score or a decision, which a document request's
 * answer does not have: a DocV request ignores them and does not count them, so they still reach the ID+
 * result fetch that follows.
 */
export type DocvFaultKind = Exclude<MagicFaultKind, 'badscore' | 'baddecision'>;

export interface DocvFaults {
  /** How often each `fault-…-x<N>` customerUserId has fired (the ID+ counter when the app shares it). */
  counter: BoundedCounter;
  context: FaultContext;
}

export function docvFaults(
  opts: { faultCounter?: BoundedCounter; faultContext?: FaultContext },
  log: ((line: string) => void) | undefined,
): DocvFaults {
  return {
    counter: opts.faultCounter ?? new BoundedCounter(),
    context: opts.faultContext ?? {
      slowMs: DEFAULT_SLOW_MS,
      // A destroyed socket never reaches an onResponse hook: say so, like the ID+ route does.
      logLine: (request, outcome) => log?.(`${request.method} ${request.url.split('?')[0]} ${outcome}`),
    },
  };
}

/** The DocV fault this body asks for, if it applies and its `-x<N>` budget is not spent. */
export function armedDocvFault(
  body: unknown,
  counter: BoundedCounter,
): { id: string; kind: DocvFaultKind } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const raw = (body as Record<string, unknown>).customerUserId;
  const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  const fault = magicFaultOf(id);
  if (!id || !fault || fault.kind === 'badscore' || fault.kind === 'baddecision') return undefined;
  if (fault.times !== undefined && counter.get(id) >= fault.times) return undefined;
  return { id, kind: fault.kind };
}

/**
 * Plays a transport fault before validation (as ID+ does). Returns true when the request has been answered or
 * dropped; false for `slow` (it only delays) and for `noreference`, which {@link dropReference} applies to the
 * finished answer.
 */
export async function playDocvTransportFault(
  armed: { id: string; kind: DocvFaultKind } | undefined,
  faults: DocvFaults,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (!armed || armed.kind === 'noreference') return false;
  faults.counter.increment(armed.id);
  return playFault(armed.kind as FaultKind, request, reply, faults.context);
}

/** `noreference`: the answer loses its referenceId (the transaction exists all the same). */
export function dropReference<T extends { referenceId?: string }>(
  answer: T,
  armed: { id: string; kind: DocvFaultKind } | undefined,
  faults: DocvFaults,
): Omit<T, 'referenceId'> & { referenceId?: string } {
  if (armed?.kind !== 'noreference') return answer;
  faults.counter.increment(armed.id);
  const { referenceId: _dropped, ...rest } = answer;
  return rest;
}
