import type { FastifyPluginAsync } from 'fastify';
import { sendSocureError } from './errors.js';
import { readFormOrJson } from './form-body.js';
import type { SandboxState } from './state.js';

const MAX_ADVANCE_MS = 366 * 24 * 3600_000;

/**
 * The test clock (sandbox-only, like Stripe's test clocks; loopback clients or the admin token, see
 * admin/access.ts): read it, or move it forward so transactions expire without waiting. Advancing sweeps at
 * once, so SESSION_EXPIRED is already queued when the answer arrives.
 */
export const clockRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  app.get('/sandbox/clock', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(state.clock.toJSON()),
  );
  app.post('/sandbox/clock/advance', async (request, reply) => {
    const body = readFormOrJson(request);
    if (!body.ok) return sendSocureError(reply, 400, body.msg, []);
    const raw = body.value.ms;
    const ms = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      return sendSocureError(
        reply,
        400,
        `ms must be a whole number of milliseconds from 0 to ${MAX_ADVANCE_MS}`,
        ['ms'],
      );
    }
    state.clock.advance(ms);
    return reply.type('application/json; charset=utf-8').send(state.clock.toJSON());
  });
};
