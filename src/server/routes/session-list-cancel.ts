/**
 * The sessions API's list and cancel, for the embedding app (Bearer API key):
 * `GET /api/sessions?status=&flow=&customerUserId=&cursor=&limit=` and `POST /api/sessions/{id}/cancel`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SessionRow } from '../../store/types.js';
import { apiKeyCheck, apiRateLimit } from '../api-key.js';
import { encodeSessionCursor, sessionListQuery } from '../api-schemas.js';
import type { ServerDeps } from '../deps.js';
import { sessionAnswer } from './api.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A session in the list: what GET /api/sessions/{id} shows by default, less the result and the timeline. */
function summary(session: SessionRow) {
  return {
    id: session.id,
    flow: session.flowId,
    status: session.status,
    outcome: session.outcome,
    customerUserId: session.customerUserId,
    createdAt: iso(session.createdAt),
    updatedAt: iso(session.updatedAt),
    expiresAt: iso(session.expiresAt),
  };
}

/** 400 naming the first field zod refused, as the API's other routes answer. */
function invalid(reply: FastifyReply, error: z.ZodError) {
  const issue = error.issues[0]!;
  const field =
    issue.path.map(String).join('.') ||
    (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'query');
  return reply.code(400).send({ error: 'invalid_request', message: `${field}: ${issue.message}` });
}

export function registerSessionListAndCancel(app: FastifyInstance, deps: ServerDeps): void {
  const key = apiKeyCheck(deps.apiKey);
  const rateLimit = apiRateLimit(deps, key);

  app.get('/api/sessions', { config: { rateLimit } }, async (req, reply) => {
    if (!key.authorized(req)) return key.deny(reply);
    const parsed = sessionListQuery.safeParse(req.query ?? {});
    if (!parsed.success) return invalid(reply, parsed.error);
    const { status, flow, customerUserId, cursor, limit } = parsed.data;
    // One more than asked: whether a next page exists, without an empty last page to fetch.
    const rows = await deps.store.listSessions({
      status,
      flowId: flow,
      customerUserId,
      after: cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return reply.header('cache-control', 'no-store').send({
      sessions: page.map(summary),
      nextCursor: rows.length > limit && last ? encodeSessionCursor(last) : null,
    });
  });

  app.post(
    '/api/sessions/:id/cancel',
    { config: { rateLimit } },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      if (!key.authorized(req)) return key.deny(reply);
      const cancelled = await deps.engine.cancel(req.params.id, key.actor);
      switch (cancelled.status) {
        case 'not_found':
          return reply.code(404).send({ error: 'not_found', message: 'no such session' });
        case 'already_ended':
          return reply.code(409).send({
            error: 'already_ended',
            message: 'the session had already ended; nothing changed',
            status: cancelled.session.status,
            outcome: cancelled.session.outcome,
          });
        case 'busy':
          return reply
            .code(409)
            .header('retry-after', '1')
            .send({ error: 'session_busy', message: 'a step of the session is running; try again' });
        case 'cancelled':
          return reply.header('cache-control', 'no-store').send(await sessionAnswer(deps, cancelled.session));
      }
    },
  );
}
