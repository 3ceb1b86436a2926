import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { REASON_CODE_GROUPS } from '../socure/reason-codes-table.js';

/**
 * `GET /api/3.0/reasoncodes`: the bundled catalogue, always grouped by product (the documented
 * `group=true` shape). Without `group=true` Socure's shape is unverified, so the sandbox answers the
 * same grouped body either way rather than inventing a flat one.
 */
export const reasonCodesRoute: FastifyPluginAsync = async (app) => {
  app.get('/api/3.0/reasoncodes', async (_request, reply) =>
    reply
      .type('application/json; charset=utf-8')
      .send({ referenceId: randomUUID(), reasonCodes: REASON_CODE_GROUPS }),
  );
};
