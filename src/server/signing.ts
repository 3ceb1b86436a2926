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

  /** A CSRF token bound to one session (forms of that session only). */
  csrfToken(scope: string): string {
    return this.mac('csrf', scope);
  }

  verifyCsrf(scope: string, token: unknown): boolean {
    return this.check('csrf', scope, token);
  }
}
