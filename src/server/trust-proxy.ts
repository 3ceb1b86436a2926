import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which X-Forwarded-For entries to believe: none, the last N hops (N proxies in front of us), or the entries
 * added by proxies at the given addresses. Never "all": the left-most entry is whatever the client sent, so
 * trusting it lets anyone pick their own IP and walk past the rate limits.
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's names for well-known ranges (loopback, link-local, private). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [ip, bits, ...rest] = entry.split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const trustProxySetting = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx): TrustProxy => {
    if (v === 'false' || v === '0') return false;
    if (v === 'true')
      return fail(
        ctx,
        'true would trust any client’s X-Forwarded-For: give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
      );
    if (/^\d+$/.test(v)) return Number(v) <= 10 ? Number(v) : fail(ctx, 'must be at most 10 proxy hops');
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.find((e) => !isAddressOrRange(e));
    if (entries.length === 0 || bad !== undefined)
      return fail(
        ctx,
        `must be false, a hop count (e.g. 1) or proxy addresses/CIDR ranges (e.g. 10.0.0.0/8,loopback)${bad ? `; "${bad}" is neither` : ''}`,
      );
    return entries;
  });

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/**
 * Fastify's option for it. A hop count becomes a function (Fastify itself ignores numbers): the N addresses
 * nearest to us are proxies, so the client is the next one to the left. Only safe when nothing reaches the
 * service except through those proxies; addresses are safer.
 */
export function fastifyTrustProxy(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return trust === 0 ? false : (_address, hop) => hop < trust;
  return trust;
}
