import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { sendSocureError } from '../errors.js';
import { readJsonBody } from '../json-body.js';
import { createKeyMatcher, type SandboxEnvironment, type SandboxKeys } from '../keys.js';
import type { SandboxState } from '../state.js';
import { evaluationView, type SandboxEvaluation } from './evaluations.js';
import { isSandboxWorkflow, runWorkflow, SANDBOX_WORKFLOWS } from './workflow.js';

const ENVIRONMENT = Symbol('sandbox.riskos.environment');
type WithEnvironment = { [ENVIRONMENT]?: SandboxEnvironment };
const environmentOf = (request: FastifyRequest) => (request as WithEnvironment)[ENVIRONMENT] ?? 'sandbox';

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;

/** `Authorization: Bearer <RiskOS key>` of any environment (socure-api.md §10), else 401. */
export function riskOsBearerAuth(keys: SandboxKeys): onRequestHookHandler {
  const matchKey = createKeyMatcher(keys);
  return (request, reply, done) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      sendSocureError(
        reply,
        401,
        'Missing or malformed Authorization header; expected "Bearer <RiskOS API key>"',
      );
      return;
    }
    const found = matchKey(match[1]!);
    if (found?.kind !== 'riskOsKey') {
      sendSocureError(
        reply,
        401,
        found ? 'This is not a RiskOS API key (ID+ and SDK keys do not call RiskOS)' : 'Invalid API key',
      );
      return;
    }
    (request as WithEnvironment)[ENVIRONMENT] = found.environment;
    done();
  };
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Checks the envelope RiskOS requires (socure-api.md §10); `data` itself is judged by the enrichments. */
function checkRequest(
  body: unknown,
):
  | { ok: true; value: { workflow: string; id: string; data: Obj } }
  | { ok: false; msg: string; field: string } {
  if (!isObject(body)) return { ok: false, msg: 'The request body must be a JSON object', field: 'body' };
  if (!nonEmpty(body.workflow)) return { ok: false, msg: 'workflow is required', field: 'workflow' };
  if (!isSandboxWorkflow(String(body.workflow).trim()))
    return {
      ok: false,
      msg: `Unknown workflow "${String(body.workflow).slice(0, 100)}"; the sandbox has ${SANDBOX_WORKFLOWS.join(', ')}`,
      field: 'workflow',
    };
  if (!nonEmpty(body.id))
    return { ok: false, msg: 'id is required (your id of this evaluation)', field: 'id' };
  if (String(body.id).length > 255)
    return { ok: false, msg: 'id must be at most 255 characters', field: 'id' };
  if (
    typeof body.timestamp !== 'string' ||
    !RFC3339.test(body.timestamp) ||
    Number.isNaN(Date.parse(body.timestamp))
  )
    return { ok: false, msg: 'timestamp is required as an RFC 3339 date-time', field: 'timestamp' };
  if (!isObject(body.data)) return { ok: false, msg: 'data is required: a JSON object', field: 'data' };
  if (body.data.individual !== undefined && !isObject(body.data.individual))
    return { ok: false, msg: 'data.individual must be a JSON object', field: 'data.individual' };
  return {
    ok: true,
    value: { workflow: String(body.workflow).trim(), id: String(body.id).trim(), data: body.data },
  };
}

/** Answers an evaluation with the headers Socure's sandbox sends (ROS-PM). */
function sendEvaluation(reply: FastifyReply, status: number, e: SandboxEvaluation): FastifyReply {
  return reply
    .code(status)
    .header('x-request-id', e.evalId)
    .header('x-ratelimit-limit-day', '1000')
    .header('x-ratelimit-limit-window', '10')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(evaluationView(e)));
}

export const RISKOS_STATE_DECISIONS = ['ACCEPT', 'REJECT', 'REVIEW', 'RESUBMIT', 'CANCEL'];

/**
 * RiskOS's Evaluation API on the sandbox: `POST /api/evaluation`, `GET` / `PATCH /api/evaluation/:evalId`,
 * `PUT /api/evaluation/:evalId/state`, behind `Bearer <RiskOS key>`.
 */
export const riskOsRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  app.addHook('onRequest', riskOsBearerAuth(state.keys));
  const { riskOs } = state;

  const find = (request: FastifyRequest<{ Params: { evalId: string } }>, reply: FastifyReply) => {
    const e = riskOs.evaluations.get(request.params.evalId);
    if (e && e.environment === environmentOf(request)) return e;
    sendSocureError(reply, 404, 'No evaluation of this environment has this eval_id', ['eval_id']);
    return undefined;
  };

  /** The evaluation a PATCH or PUT names and its JSON body; undefined once the 404 or 400 is sent. */
  const findWithBody = (request: FastifyRequest<{ Params: { evalId: string } }>, reply: FastifyReply) => {
    const e = find(request, reply);
    if (!e) return undefined;
    const json = readJsonBody(request);
    if (json.ok) return { e, body: json.value };
    sendSocureError(reply, 400, json.msg, []);
    return undefined;
  };

  app.post('/api/evaluation', async (request, reply) => {
    const json = readJsonBody(request);
    if (!json.ok) return sendSocureError(reply, 400, json.msg, []);
    const checked = checkRequest(json.value);
    if (!checked.ok) return sendSocureError(reply, 400, checked.msg, [checked.field]);
    const origin = `${request.protocol}://${request.host}`;
    const e = await riskOs.claimingDocv(() =>
      runWorkflow(state, checked.value, environmentOf(request), origin),
    );
    riskOs.evaluations.add(e);
    const paused = e.evalStatus === 'evaluation_paused';
    riskOs.emit(e, [{ eventType: paused ? 'evaluation_paused' : 'evaluation_completed' }]);
    return sendEvaluation(reply, paused ? 201 : 200, e);
  });

  app.get<{ Params: { evalId: string } }>('/api/evaluation/:evalId', async (request, reply) => {
    const e = find(request, reply);
    return e ? sendEvaluation(reply, 200, e) : reply;
  });

  app.patch<{ Params: { evalId: string } }>('/api/evaluation/:evalId', async (request, reply) => {
    const found = findWithBody(request, reply);
    if (!found) return reply;
    const { e, body } = found;
    if (!isObject(body) || !isObject(body.data))
      return sendSocureError(reply, 400, 'The body must be {"data": {…}}', ['data']);
    if (e.evalStatus !== 'evaluation_paused')
      return sendSocureError(
        reply,
        400,
        `Only a paused evaluation can be updated (this one is ${e.evalStatus})`,
        ['eval_id'],
      );
    const individual = isObject(body.data.individual)
      ? { ...(isObject(e.data.individual) ? e.data.individual : {}), ...body.data.individual }
      : e.data.individual;
    e.data = { ...e.data, ...body.data, ...(individual === undefined ? {} : { individual }) };
    return sendEvaluation(reply, 200, e);
  });

  app.put<{ Params: { evalId: string } }>('/api/evaluation/:evalId/state', async (request, reply) => {
    const found = findWithBody(request, reply);
    if (!found) return reply;
    const { e, body } = found;
    if (!isObject(body))
      return sendSocureError(reply, 400, 'The request body must be a JSON object', ['body']);
    if (body.workflow !== e.workflow)
      return sendSocureError(reply, 400, `workflow must be the evaluation's workflow (${e.workflow})`, [
        'workflow',
      ]);
    if (typeof body.decision !== 'string' || !RISKOS_STATE_DECISIONS.includes(body.decision))
      return sendSocureError(reply, 400, `decision must be one of ${RISKOS_STATE_DECISIONS.join(', ')}`, [
        'decision',
      ]);
    if (!nonEmpty(body.status)) return sendSocureError(reply, 400, 'status is required', ['status']);
    if (body.notes !== undefined && typeof body.notes !== 'string')
      return sendSocureError(reply, 400, 'notes must be a string', ['notes']);
    e.decision = body.decision;
    e.decisionAt = new Date(state.clock.now()).toISOString();
    e.status = String(body.status).trim();
    if (typeof body.notes === 'string' && body.notes.trim() !== '') e.notes.push(body.notes.trim());
    riskOs.emit(e, [{ eventType: 'decision_update' }]);
    return sendEvaluation(reply, 200, e);
  });
};
