import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendSocureError } from '../errors.js';
import { readFormOrJson } from '../form-body.js';
import { SANDBOX_ENVIRONMENTS, type SandboxEnvironment } from '../keys.js';
import type { SandboxState } from '../state.js';
import { patchKnobs } from '../webhooks/knobs.js';
import { publicSubscription } from '../webhooks/subscriptions.js';

const json = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).type('application/json; charset=utf-8').send(body);

const asEnvironment = (v: unknown): SandboxEnvironment | undefined =>
  typeof v === 'string' && (SANDBOX_ENVIRONMENTS as readonly string[]).includes(v)
    ? (v as SandboxEnvironment)
    : undefined;

/**
 * The admin portal's settings as JSON (the seed's "Setting up Socure", offline). No sign-in: app.ts puts it
 * behind admin/access.ts, so only loopback clients (or remote ones with the admin token) reach it.
 */
export const adminApiRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  const { subscriptions, allowlist } = state;
  const noSuchSubscription = (reply: FastifyReply) =>
    sendSocureError(reply, 404, 'No webhook subscription has this id', ['id']);

  app.get('/admin/api/keys', async (_request, reply) => json(reply, 200, { keys: state.keys }));

  app.get<{ Querystring: { environment?: string } }>('/admin/api/subscriptions', async (request, reply) => {
    const raw = request.query.environment;
    const environment = asEnvironment(raw);
    if (raw !== undefined && !environment) {
      return sendSocureError(reply, 400, `environment must be one of ${SANDBOX_ENVIRONMENTS.join(', ')}`, [
        'environment',
      ]);
    }
    return json(reply, 200, { subscriptions: subscriptions.list(environment).map(publicSubscription) });
  });

  app.post('/admin/api/subscriptions', async (request, reply) => {
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    const created = subscriptions.create(body.value);
    if (!created.ok) return sendSocureError(reply, 400, created.msg, created.parameters);
    return json(reply, 201, { subscription: publicSubscription(created.subscription) });
  });

  app.get<{ Params: { id: string } }>('/admin/api/subscriptions/:id', async (request, reply) => {
    const sub = subscriptions.get(request.params.id);
    return sub ? json(reply, 200, { subscription: publicSubscription(sub) }) : noSuchSubscription(reply);
  });

  app.delete<{ Params: { id: string } }>('/admin/api/subscriptions/:id', async (request, reply) => {
    if (!subscriptions.delete(request.params.id)) return noSuchSubscription(reply);
    state.deliveryLog.forget(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/admin/api/subscriptions/:id/knobs', async (request, reply) => {
    const sub = subscriptions.get(request.params.id);
    if (!sub) return noSuchSubscription(reply);
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    const patched = patchKnobs(sub.knobs, body.value);
    if (!patched.ok) return sendSocureError(reply, 400, patched.msg, patched.parameters);
    sub.knobs = patched.knobs;
    return json(reply, 200, { subscription: publicSubscription(sub) });
  });

  app.post<{ Params: { id: string } }>('/admin/api/subscriptions/:id/test', async (request, reply) => {
    const sub = subscriptions.get(request.params.id);
    if (!sub) return noSuchSubscription(reply);
    return json(reply, 200, await state.delivery.test(sub));
  });

  app.get<{ Params: { id: string } }>('/admin/api/subscriptions/:id/deliveries', async (request, reply) => {
    if (!subscriptions.get(request.params.id)) return noSuchSubscription(reply);
    return json(reply, 200, { deliveries: state.deliveryLog.list(request.params.id) });
  });

  app.get('/admin/api/allowlist', async (_request, reply) => json(reply, 200, { entries: allowlist.list() }));

  app.post('/admin/api/allowlist', async (request, reply) => {
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    try {
      const entry = allowlist.add(String(body.value.entry ?? ''));
      return json(reply, 201, { entry, entries: allowlist.list() });
    } catch (error) {
      return sendSocureError(reply, 400, `entry: ${(error as Error).message}`, ['entry']);
    }
  });

  app.delete<{ Params: { entry: string } }>('/admin/api/allowlist/:entry', async (request, reply) => {
    if (!allowlist.delete(request.params.entry)) {
      return sendSocureError(reply, 404, 'That entry is not on the allowlist', ['entry']);
    }
    return reply.code(204).send();
  });
};
