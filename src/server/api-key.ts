/** The sessions API key check, shared by the API's routes, and the key's id for the audit trail. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerDeps } from './deps.js';

const digest = (v: string) => createHash('sha256').update(v).digest();

export interface ApiKeyCheck {
  authorized(req: FastifyRequest): boolean;
  /** Answers 401 with how to authenticate. */
  deny(reply: FastifyReply): FastifyReply;
  /** Who acted, for the audit trail: the key's id (a digest prefix), never the key. */
  readonly actor: string;
}

export function apiKeyCheck(apiKey: string): ApiKeyCheck {
  const expected = digest(apiKey);
  return {
    authorized(req) {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      return m !== null && timingSafeEqual(digest(m[1]!), expected);
    },
    deny: (reply) =>
      reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <CONNECTOR_API_KEY>' }),
    actor: `api-key:${expected.toString('hex').slice(0, 8)}`,
  };
}

/**
 * The API's rate limit: an app server makes many calls from one IP, so with the key it has its own (higher)
 * budget, shared by the API's routes; without it, the budget of any anonymous client.
 */
export function apiRateLimit(
  deps: Pick<ServerDeps, 'rateLimitApiPerMinute' | 'rateLimitPagesPerMinute'>,
  key: ApiKeyCheck,
) {
  return {
    groupId: 'sessions-api',
    timeWindow: '1 minute',
    max: (req: FastifyRequest) =>
      key.authorized(req) ? (deps.rateLimitApiPerMinute ?? 6000) : (deps.rateLimitPagesPerMinute ?? 600),
    keyGenerator: (req: FastifyRequest) => `${key.authorized(req) ? 'key' : 'anonymous'}:${req.ip}`,
  };
}
