import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC signatures that make session URLs and form tokens unguessable and unforgeable without the
 * service's secret (kept in the store, so every instance and restart agrees on it).
 */
export class Signer {
  constructor(private readonly secret: string) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.secret).update(`${purpose}:${value}`).digest('base64url').slice(0, 32);
  }

  private check(purpose: string, value: string, signature: unknown): boolean {
    if (typeof signature !== 'string' || signature.length !== 32) return false;
    return timingSafeEqual(Buffer.from(this.mac(purpose, value)), Buffer.from(signature));
  }

  sessionSignature(sessionId: string): string {
    return this.mac('session', sessionId);
  }

  verifySession(sessionId: string, signature: unknown): boolean {
    return this.check('session', sessionId, signature);
  }

  /**
   * A form token for one purpose (a flow's start form, or one session's forms, each for one browser) that
   * expires: `<expiry, base 36>.<mac>`.
   */
  csrfToken(scope: string, now: number, ttlMs = CSRF_TTL_MS): string {
    const expires = (now + ttlMs).toString(36);
    return `${expires}.${this.mac('csrf', `${scope}:${expires}`)}`;
  }

  verifyCsrf(scope: string, token: unknown, now: number): boolean {
    if (typeof token !== 'string') return false;
    const [expires, mac, ...rest] = token.split('.');
    if (!expires || rest.length > 0 || !/^[0-9a-z]{1,12}$/.test(expires)) return false;
    if (Number.parseInt(expires, 36) <= now) return false;
    return this.check('csrf', `${scope}:${expires}`, mac);
  }
}

/** How long a page's form stays valid: a person may leave it open a while. */
export const CSRF_TTL_MS = 2 * 3_600_000;
