import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserCookiePolicy } from './embedding.js';

/** The cookie that tells one browser from another (random; never holds anything but that). */
export const BROWSER_COOKIE = 'sc_browser';
const ID = /^[A-Za-z0-9_-]{24}$/;

/**
 * This browser's id, from its cookie; a new one (set on the reply) when it has none. The id itself stays in
 * the cookie: only its hash is stored (a session's claimant) or signed into form tokens.
 */
export function browserOf(req: FastifyRequest, reply: FastifyReply, cookie: BrowserCookiePolicy): string {
  const existing = existingBrowserOf(req);
  if (existing) return existing;
  const id = randomBytes(18).toString('base64url');
  reply.setCookie(BROWSER_COOKIE, id, {
    path: '/',
    httpOnly: true,
    // SameSite=Lax unless FRAME_ANCESTORS lets another site frame the pages (see browserCookiePolicy).
    sameSite: cookie.sameSite,
    secure: cookie.secure,
    partitioned: cookie.partitioned || undefined,
    maxAge: 30 * 24 * 3600,
  });
  return hashOf(id);
}

/** The browser's id hash when it sent a valid cookie; undefined otherwise (nothing is set). */
export function existingBrowserOf(req: FastifyRequest): string | undefined {
  const id = req.cookies[BROWSER_COOKIE];
  return id && ID.test(id) ? hashOf(id) : undefined;
}

function hashOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
