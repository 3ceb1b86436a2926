import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isLoopbackAddress } from '../../sandbox/admin/access.js';

/** Why a scrape is refused, as the answer says it; undefined: let it in. */
export interface MetricsRefusal {
  status: 401 | 403;
  error: 'unauthorized' | 'forbidden';
  message: string;
}

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
/** Headers a proxy adds when it relays a request: a loopback peer sending one is a proxy, not a local client. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/**
 * Who may read /metrics. With METRICS_TOKEN set: whoever sends `Authorization: Bearer <token>` (compared in
 * constant time), from anywhere. Without: clients on this machine only, judged on the client address (`req.ip`,
 * so behind proxies named in TRUST_PROXY the real client's); a loopback peer that relays for someone else (a
 * local reverse proxy not named in TRUST_PROXY, which adds X-Forwarded-For) is not let in.
 */
export function metricsAccess(
  token: string | undefined,
  trustsProxies: boolean,
): (req: FastifyRequest) => MetricsRefusal | undefined {
  const expected = token === undefined ? undefined : digest(token);
  return (req) => {
    if (expected) {
      const m = BEARER.exec(String(req.headers.authorization ?? ''));
      if (m && timingSafeEqual(digest(m[1]!), expected)) return undefined;
      return {
        status: 401,
        error: 'unauthorized',
        message:
          'GET /metrics needs the METRICS_TOKEN the service was started with, as "Authorization: Bearer <token>"',
      };
    }
    const relayed = !trustsProxies && FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
    if (isLoopbackAddress(req.ip) && !relayed) return undefined;
    return {
      status: 403,
      error: 'forbidden',
      message:
        'GET /metrics answers only clients on this machine (127.0.0.1, ::1) while no METRICS_TOKEN is set' +
        (relayed ? ' (this request came through a proxy: set TRUST_PROXY to name it)' : '') +
        '. Set METRICS_TOKEN (or --metrics-token) and scrape with "Authorization: Bearer <token>".',
    };
  };
}
