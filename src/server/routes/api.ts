import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnknownFlowError } from '../../flows/engine-options.js';
import type { SessionData, SessionRow } from '../../store/types.js';
import { apiKeyCheck, apiRateLimit } from '../api-key.js';
import { buildOpenApi, createSessionBody, sessionQuery } from '../api-schemas.js';
import { type ServerDeps, sessionPath } from '../deps.js';
import { needlesOf, withoutPersonalData } from '../personal-data.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The sessions API for the embedding app (Bearer API key). */
export function registerApi(app: FastifyInstance, deps: ServerDeps): void {
  const key = apiKeyCheck(deps.apiKey);
  const authorized = (req: FastifyRequest) => key.authorized(req);
  const deny = key.deny;
  const rateLimit = apiRateLimit(deps, key);

  app.get('/api/openapi.json', async () => buildOpenApi(deps.publicUrl));

  app.post('/api/sessions', { config: { rateLimit } }, async (req, reply) => {
    if (!authorized(req)) return deny(reply);
    const parsed = createSessionBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'body';
      return reply.code(400).send({ error: 'invalid_request', message: `${field}: ${issue.message}` });
    }
    const { flow, input, customerUserId, returnUrl, language } = parsed.data;
    if (!deps.engine.flow(flow)) {
      return reply
        .code(404)
        .send({ error: 'unknown_flow', message: `no flow "${flow}"; see GET / for the flows` });
    }
    try {
      const session = await deps.engine.start({
        flowId: flow,
        input,
        customerUserId,
        returnUrl,
        language,
        actor: key.actor,
      });
      return reply.code(201).send({
        id: session.id,
        url: `${deps.publicUrl}${sessionPath(deps, session.id)}`,
        status: session.status,
        expiresAt: iso(session.expiresAt),
      });
    } catch (err) {
      if (err instanceof UnknownFlowError)
        return reply.code(404).send({ error: 'unknown_flow', message: err.message });
      throw err;
    }
  });

  app.get(
    '/api/sessions/:id',
    { config: { rateLimit } },
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: unknown }>, reply) => {
      if (!authorized(req)) return deny(reply);
      const query = sessionQuery.safeParse(req.query ?? {});
      if (!query.success) {
        const issue = query.error.issues[0]!;
        const field = issue.path.map(String).join('.') || 'query';
        return reply.code(400).send({ error: 'invalid_request', message: `${field}: ${issue.message}` });
      }
      const session = await deps.store.getSession(req.params.id);
      if (!session) return reply.code(404).send({ error: 'not_found', message: 'no such session' });
      const answer = await sessionAnswer(deps, session, query.data.include);
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );
}

/** A session as `GET /api/sessions/{id}` answers it: without the person's data unless `include` is 'input'. */
export async function sessionAnswer(deps: ServerDeps, session: SessionRow, include?: 'input') {
  const [data, timeline] = await Promise.all([
    deps.store.getSessionData(session.id),
    deps.store.listTimeline(session.id),
  ]);
  const described = describe(session, data?.result ?? null, timeline);
  return include === 'input'
    ? { ...described, input: data?.input ?? {} }
    : withoutInputs(described, data, typedOn(deps, session));
}

/** The ids of the flow's screens: their outputs are what the person typed. */
function typedOn(deps: ServerDeps, session: SessionRow): string[] {
  const flow = deps.engine.flow(session.flowId);
  if (!flow) return [];
  return Object.entries(flow.nodes)
    .filter(([, node]) => node.type === 'screen')
    .map(([id]) => id);
}

/**
 * The default answer: the result and the timeline without the person's data (see personal-data.ts), and
 * `omitted` saying where something was left out. The session's input is never in it.
 */
function withoutInputs(
  described: ReturnType<typeof describe>,
  data: SessionData | undefined,
  screens: string[],
) {
  const needles = needlesOf([data?.input ?? {}, ...screens.map((id) => data?.outputs[id])]);
  const omitted: string[] = [];
  const result = withoutPersonalData(described.result, needles, '/result', omitted);
  const timeline = described.timeline.map((e, i) => ({
    ...e,
    detail: withoutPersonalData(e.detail, needles, `/timeline/${i}/detail`, omitted) ?? {},
  }));
  return { ...described, result, timeline, omitted };
}

function describe(
  session: SessionRow,
  result: Record<string, unknown> | null,
  timeline: Array<{ at: number; type: string; detail: Record<string, unknown> }>,
) {
  return {
    id: session.id,
    flow: session.flowId,
    status: session.status,
    outcome: session.outcome,
    language: session.language,
    result,
    customerUserId: session.customerUserId,
    createdAt: iso(session.createdAt),
    updatedAt: iso(session.updatedAt),
    expiresAt: iso(session.expiresAt),
    timeline: timeline.map((e) => ({ at: iso(e.at), type: e.type, detail: e.detail })),
  };
}
