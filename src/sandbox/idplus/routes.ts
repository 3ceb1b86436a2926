import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { environmentOf } from '../auth.js';
import type { BoundedCounter } from '../bounded-counter.js';
import type { DeviceSessionStore } from '../device/sessions.js';
import type { DocvLookup } from '../docv/source.js';
import { sendSocureError } from '../errors.js';
import { type FaultContext, playFault } from '../fault-responses.js';
import type { FaultKind } from '../faults.js';
import { readJsonBody } from '../json-body.js';
import { corruptBody, isContentFault } from './content-faults.js';
import { DEFAULT_DEPS, type EngineDeps, evaluateIdPlus } from './engine.js';
import { type MagicFault, magicFaultOf } from './magic.js';
import type { IdPlusInput } from './types.js';
import { validateIdPlusRequest } from './validate.js';

export interface IdPlusRoutesOptions {
  /** Run-wide fault for this request, drawn from the seeded PRNG. */
  drawFault: () => FaultKind | undefined;
  /** How often each `fault-…-x<N>` customerUserId has fired. */
  faultCounter: BoundedCounter;
  faultContext: FaultContext;
  engineDeps?: EngineDeps;
  /** Real DocV transactions; without it the engine's stub answers any token. */
  docvLookup?: DocvLookup;
  /** Device sessions of the stand-in collector; without it any deviceSessionId is taken as it is. */
  deviceSessions?: Pick<DeviceSessionStore, 'check'>;
}

type DocvDeps = { ok: true; deps: EngineDeps | undefined } | { ok: false; msg: string; field: string };

/** With real transactions, an unknown token is a 400 naming the field; a known one feeds the engine. */
function docvDepsFor(request: FastifyRequest, input: IdPlusInput, opts: IdPlusRoutesOptions): DocvDeps {
  if (!opts.docvLookup || !input.modules.includes('documentverification')) {
    return { ok: true, deps: opts.engineDeps };
  }
  const field = input.docvTransactionToken !== undefined ? 'docvTransactionToken' : 'documentUuid';
  const reference = input[field];
  const found =
    reference === undefined ? undefined : opts.docvLookup(reference, environmentOf(request) ?? 'sandbox');
  if (!found) {
    return {
      ok: false,
      field,
      msg: `Unknown ${field}: no DocV transaction of this environment has it (create one with POST /api/5.0/documents/request)`,
    };
  }
  return { ok: true, deps: { ...opts.engineDeps, documentVerification: () => found } };
}

/** Device ids are checked against the collector's sessions of the caller's environment. */
function withDeviceSessions(
  request: FastifyRequest,
  input: IdPlusInput,
  deps: EngineDeps | undefined,
  opts: IdPlusRoutesOptions,
): EngineDeps | undefined {
  const sessions = opts.deviceSessions;
  if (!sessions || !input.modules.includes('devicerisk')) return deps;
  const environment = environmentOf(request) ?? 'sandbox';
  return { ...(deps ?? DEFAULT_DEPS), deviceSession: (id) => sessions.check(id, environment) };
}

/** The magic fault of this body, if it should still fire (the `-x<N>` budget is not spent). */
function armedFault(body: unknown, counter: BoundedCounter): { id: string; fault: MagicFault } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const raw = (body as Record<string, unknown>).customerUserId;
  const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  const fault = magicFaultOf(id);
  if (!id || !fault) return undefined;
  return fault.times === undefined || counter.get(id) < fault.times ? { id, fault } : undefined;
}

type Armed = ReturnType<typeof armedFault>;

/** Validation, the engine and the 200 answer (a content fault corrupts the body on its way out). */
function score(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  armed: Armed,
  opts: IdPlusRoutesOptions,
) {
  const valid = validateIdPlusRequest(body);
  if (!valid.ok) return sendSocureError(reply, 400, valid.msg, valid.parameters);

  const docv = docvDepsFor(request, valid.input, opts);
  if (!docv.ok) return sendSocureError(reply, 400, docv.msg, [docv.field]);

  const answer: Record<string, unknown> = {
    referenceId: randomUUID(),
    ...evaluateIdPlus(valid.input, withDeviceSessions(request, valid.input, docv.deps, opts)),
  };
  if (armed && isContentFault(armed.fault.kind)) {
    opts.faultCounter.increment(armed.id);
    corruptBody(answer, armed.fault.kind);
  }
  // Serialised here: a string with a JSON content type goes out as it is, skipping Fastify's serializer lookup.
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(answer));
}

/** Everything after the run-wide fault: the body, a magic transport fault, then `score`. */
function respond(request: FastifyRequest, reply: FastifyReply, opts: IdPlusRoutesOptions) {
  const json = readJsonBody(request);
  if (!json.ok) return sendSocureError(reply, 400, json.msg, []);

  // Transport faults fire before validation (a rate limiter does not read the body's rules).
  const armed = armedFault(json.value, opts.faultCounter);
  if (armed && !isContentFault(armed.fault.kind)) {
    opts.faultCounter.increment(armed.id);
    return playFault(armed.fault.kind as FaultKind, request, reply, opts.faultContext).then((answered) =>
      answered ? reply : score(request, reply, json.value, armed, opts),
    );
  }
  return score(request, reply, json.value, armed, opts);
}

/**
 * `POST /api/3.0/EmailAuthScore`: faults, then Socure-style validation, then the scoring engine. Only a
 * fault makes the handler asynchronous: without one, the answer is sent before it returns, with no
 * promise per request.
 */
export const idPlusRoutes: FastifyPluginAsync<IdPlusRoutesOptions> = async (app, opts) => {
  app.post('/api/3.0/EmailAuthScore', (request, reply) => {
    const runWide = opts.drawFault();
    if (!runWide) return respond(request, reply, opts);
    return playFault(runWide, request, reply, opts.faultContext).then((answered) =>
      answered ? reply : respond(request, reply, opts),
    );
  });
};
