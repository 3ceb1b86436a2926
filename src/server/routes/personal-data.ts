/**
 * Erasure on request and the audit trail, for the embedding app (Bearer API key):
 * `DELETE /api/customers/{customerUserId}` and `GET /api/audit?since=&limit=`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord } from '../../store/types.js';
import { apiKeyCheck, apiRateLimit } from '../api-key.js';
import { auditQuery, customerUserIdParam } from '../api-schemas.js';
import type { ServerDeps } from '../deps.js';

const CHAIN_BATCH = 1000;

export function auditJson(r: AuditRecord) {
  return {
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    type: r.type,
    actor: r.actor,
    detail: r.detail,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export function registerPersonalDataApi(app: FastifyInstance, deps: ServerDeps): void {
  const key = apiKeyCheck(deps.apiKey);
  const rateLimit = apiRateLimit(deps, key);

  app.delete(
    '/api/customers/:customerUserId',
    { config: { rateLimit } },
    async (req: FastifyRequest<{ Params: { customerUserId: string } }>, reply) => {
      if (!key.authorized(req)) return key.deny(reply);
      const parsed = customerUserIdParam.safeParse(req.params.customerUserId);
      if (!parsed.success) {
        return reply
          .code(400)
          .send({ error: 'invalid_request', message: 'customerUserId: must be 1 to 100 characters' });
      }
      const id = parsed.data;
      const erased = await deps.store.eraseCustomer(id, Date.now(), {
        type: 'customer.erased',
        actor: key.actor,
        // The keyed hash, not the id: the trail proves the erasure without keeping who it was.
        detail: { customer: deps.store.lookupHash(id) },
      });
      return reply.header('cache-control', 'no-store').send({ erased });
    },
  );

  app.get('/api/audit', { config: { rateLimit } }, async (req, reply) => {
    if (!key.authorized(req)) return key.deny(reply);
    const parsed = auditQuery.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'query';
      return reply.code(400).send({ error: 'invalid_request', message: `${field}: ${issue.message}` });
    }
    // Entries appended since the last tick are chained first, so a reader sees every act up to now.
    while ((await deps.store.chainAudit(CHAIN_BATCH)) === CHAIN_BATCH);
    const { since, limit } = parsed.data;
    const entries = await deps.store.listAudit({ ...since, limit });
    return reply.header('cache-control', 'no-store').send({
      entries: entries.map(auditJson),
      // The `since` of the next page (entries after this one), or null at the end.
      next: entries.length === limit ? entries.at(-1)!.seq : null,
    });
  });
}
