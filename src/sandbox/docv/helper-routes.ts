import type { FastifyPluginAsync } from 'fastify';
import { sendSocureError } from '../errors.js';
import { readFormOrJson } from '../form-body.js';
import type { SandboxState } from '../state.js';
import { patchKnobs } from '../webhooks/knobs.js';
import { isTriggerScenario, runTrigger, TRIGGER_SCENARIOS } from './trigger.js';
import { transactionView } from './view.js';

/**
 * Sandbox-only test helpers (like stripe-mock's test helpers; loopback clients or the admin token, see
 * admin/access.ts): inspect a transaction, drive it
 * through a scenario, set its delivery knobs. Socure has no such endpoints.
 */
export const transactionHelperRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (
  app,
  { state },
) => {
  const json = (reply: import('fastify').FastifyReply, status: number, body: unknown) =>
    reply.code(status).type('application/json; charset=utf-8').send(body);
  // A RiskOS eval_id names its step-up's DocV transaction, so `sandbox trigger` drives RiskOS step-ups too.
  const lookup = (token: string) => {
    const evaluation = state.riskOs.evaluations.get(token);
    return state.transactions.get(evaluation?.docvToken ?? token);
  };
  const notFound = (reply: import('fastify').FastifyReply) =>
    sendSocureError(reply, 404, 'No DocV transaction has this token', ['docvTransactionToken']);

  app.get<{ Params: { token: string } }>('/sandbox/transactions/:token', async (request, reply) => {
    const tx = lookup(request.params.token);
    return tx ? json(reply, 200, transactionView(state, tx)) : notFound(reply);
  });

  app.post<{ Params: { token: string } }>('/sandbox/transactions/:token/trigger', async (request, reply) => {
    const tx = lookup(request.params.token);
    if (!tx) return notFound(reply);
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    const scenario = body.value.scenario;
    if (!isTriggerScenario(scenario)) {
      return sendSocureError(
        reply,
        400,
        `scenario must be one of ${TRIGGER_SCENARIOS.map((s) => s.name).join(', ')}`,
        ['scenario'],
      );
    }
    if (!runTrigger(state.lifecycle, tx, scenario)) {
      return sendSocureError(reply, 409, `The transaction has already ended (${tx.status})`, ['scenario']);
    }
    return json(reply, 200, { scenario, transaction: transactionView(state, tx) });
  });

  app.post<{ Params: { token: string } }>('/sandbox/transactions/:token/knobs', async (request, reply) => {
    const tx = lookup(request.params.token);
    if (!tx) return notFound(reply);
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    const patched = patchKnobs(tx.knobs, body.value);
    if (!patched.ok) return sendSocureError(reply, 400, patched.msg, patched.parameters);
    tx.knobs = patched.knobs;
    return json(reply, 200, { knobs: tx.knobs });
  });
};
