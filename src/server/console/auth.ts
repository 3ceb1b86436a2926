/**
 * Who may use the operator console: a client on the loopback interface (unless CONSOLE_ALLOW_REMOTE) holding the
 * operator key (OPERATOR_API_KEY, else the sessions API key) — as `Authorization: Bearer <key>`, or in a browser
 * as the login cookie the key earns: a token signed by the service (HttpOnly, SameSite=Strict), bound to the
 * key's id so that changing the key logs every browser out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Signer } from '../signing.js';

export const CONSOLE_COOKIE = 'sc_console';
/** How long a console login lasts. */
export const LOGIN_TTL_MS = 8 * 3_600_000;

const digest = (v: string) => createHash('sha256').update(v).digest();

export interface ConsoleAuthOptions {
  operatorKey: string;
  allowRemote: boolean;
  signer: Signer;
  /** Cookies marked Secure when the service is reached over https. */
  secureCookies: boolean;
  now: () => number;
}

export class ConsoleAuth {
  readonly #expected: Buffer;
  /** Who acted, for the audit trail: the key's id (a digest prefix), never the key. */
  readonly actor: string;

  constructor(private readonly o: ConsoleAuthOptions) {
    this.#expected = digest(o.operatorKey);
    this.actor = `operator:${this.#expected.toString('hex').slice(0, 8)}`;
  }

  /** Loopback addresses only, unless the setting opens the console (req.ip honours TRUST_PROXY). */
  reachable(req: FastifyRequest): boolean {
    if (this.o.allowRemote) return true;
    const ip = req.ip.replace(/^::ffff:/, '');
    return ip === '::1' || /^127\./.test(ip);
  }

  keyMatches(candidate: unknown): boolean {
    return typeof candidate === 'string' && timingSafeEqual(digest(candidate), this.#expected);
  }

  /** The signed login token in the cookie, when valid; else undefined. */
  loginOf(req: FastifyRequest): string | undefined {
    const token = req.cookies[CONSOLE_COOKIE];
    return this.o.signer.verifyCsrf(this.#loginScope, token, this.o.now()) ? token : undefined;
  }

  authorized(req: FastifyRequest): boolean {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (bearer) return this.keyMatches(bearer[1]);
    return this.loginOf(req) !== undefined;
  }

  logIn(reply: FastifyReply): void {
    reply.setCookie(CONSOLE_COOKIE, this.o.signer.csrfToken(this.#loginScope, this.o.now(), LOGIN_TTL_MS), {
      path: '/console',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.o.secureCookies,
      maxAge: LOGIN_TTL_MS / 1000,
    });
  }

  logOut(reply: FastifyReply): void {
    reply.clearCookie(CONSOLE_COOKIE, { path: '/console' });
  }

  /**
   * The form token of the console's actions, bound to this login (a Bearer caller has no cookie: its token is
   * bound to the key, and it needs none to be safe from cross-site forms, which cannot send the header).
   */
  csrfFor(req: FastifyRequest): string {
    return this.o.signer.csrfToken(this.#csrfScope(req), this.o.now());
  }

  csrfValid(req: FastifyRequest, token: unknown): boolean {
    return this.o.signer.verifyCsrf(this.#csrfScope(req), token, this.o.now());
  }

  /** The login form's own token (no login yet: bound to nothing but the purpose). */
  loginCsrf(): string {
    return this.o.signer.csrfToken('console-login-form', this.o.now());
  }

  loginCsrfValid(token: unknown): boolean {
    return this.o.signer.verifyCsrf('console-login-form', token, this.o.now());
  }

  get #loginScope(): string {
    return `console-login:${this.actor}`;
  }

  #csrfScope(req: FastifyRequest): string {
    const login = this.loginOf(req) ?? 'bearer';
    return `console-action:${createHash('sha256').update(login).digest('base64url')}`;
  }
}
