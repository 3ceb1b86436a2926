import { adminTokenProblem } from './admin/access.js';
import { normalizeHost } from './allowlist.js';
import type { FaultRates } from './faults.js';
import { SANDBOX_ENVIRONMENTS, type SandboxEnvironment, type SandboxKeyOverrides } from './keys.js';

/** A webhook subscription created at start (the CLI maps `--webhook-url/--webhook-secret` here). */
export interface SandboxWebhookOption {
  url: string;
  secret?: string;
  /** Default 'sandbox'. */
  environment?: SandboxEnvironment;
  name?: string;
  /** Default 'Document Verification'; 'RiskOS' receives RiskOS events (Bearer, or Basic with `username`). */
  subscriptionType?: 'Document Verification' | 'RiskOS';
  username?: string;
}

export interface SandboxOptions {
  /** Default 4010; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Per-environment overrides of DEFAULT_SANDBOX_KEYS. */
  keys?: SandboxKeyOverrides;
  /** Run-wide fault rates per ID+ request, e.g. parseFaultSpec("429:0.1,503:0.02"). */
  faults?: FaultRates;
  /** Added to every answer (ms). */
  latencyMs?: number;
  /** How long `slow` faults wait before answering normally (ms, default 3000). */
  slowMs?: number;
  /** Seeds the PRNG of run-wide faults, for reproducible load tests. */
  seed?: number;
  /** One line per request: method, path, status, ms. Never keys or PII. */
  log?: (line: string) => void;
  /**
   * Base URL of capture links (`<publicUrl>/capture/<token>`), e.g. http://192.168.1.20:4010 so a phone
   * on the LAN can open them. Default: the listen URL.
   */
  publicUrl?: string;
  /** Lifetime of a DocV transaction on the sandbox clock (ms, default 15 min). */
  transactionTtlMs?: number;
  /** DocV transactions kept in memory; the oldest is forgotten past this (default 10 000). */
  maxTransactions?: number;
  /** Webhook retry base: attempt n+1 waits base·2^(n-1) after failed attempt n (ms, default 1000). */
  deliveryRetryBaseMs?: number;
  /** A webhook attempt that takes longer fails and is retried (ms, default 10 000). */
  deliveryTimeoutMs?: number;
  /** `Authorization: <secret>` (bare, default) or `Authorization: Bearer <secret>`. */
  authScheme?: 'bare' | 'bearer';
  /** Webhook subscriptions to create at start. */
  webhooks?: SandboxWebhookOption[];
  /** Extra IPs & Domains allowlist entries, on top of localhost, 127.0.0.1 and ::1. */
  allowlist?: string[];
  /**
   * The admin surface (admin pages and JSON API, test clock, SMS outbox, transaction helpers) answers loopback
   * clients only. With a token (≥ 16 characters), remote clients sending `Authorization: Bearer <token>` are
   * let in too. The capture app and Socure's API never need it.
   */
  adminToken?: string;
}

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SLOW_MS = 3000;
export const DEFAULT_TRANSACTION_TTL_MS = 15 * 60_000;

const nonNegative = (name: string, v: number | undefined) => {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0))
    throw new Error(`sandbox: ${name} must be a number ≥ 0`);
};

/** Fails fast with a message naming the bad option. */
export function checkOptions(o: SandboxOptions): void {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) {
    throw new Error('sandbox: port must be an integer from 0 to 65535');
  }
  nonNegative('latencyMs', o.latencyMs);
  nonNegative('slowMs', o.slowMs);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new Error('sandbox: seed must be an integer');
  nonNegative('deliveryRetryBaseMs', o.deliveryRetryBaseMs);
  for (const [name, v] of [
    ['transactionTtlMs', o.transactionTtlMs],
    ['deliveryTimeoutMs', o.deliveryTimeoutMs],
    ['maxTransactions', o.maxTransactions],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new Error(`sandbox: ${name} must be an integer > 0`);
  }
  if (o.authScheme !== undefined && o.authScheme !== 'bare' && o.authScheme !== 'bearer') {
    throw new Error("sandbox: authScheme must be 'bare' or 'bearer'");
  }
  if (o.publicUrl !== undefined && !isHttpUrl(o.publicUrl)) {
    throw new Error('sandbox: publicUrl must be an absolute http(s) URL such as http://192.168.1.20:4010');
  }
  for (const [i, w] of (o.webhooks ?? []).entries()) {
    if (!isHttpUrl(w.url)) throw new Error(`sandbox: webhooks[${i}].url must be an absolute http(s) URL`);
    if (w.secret !== undefined && (w.secret === '' || /\s/.test(w.secret))) {
      throw new Error(`sandbox: webhooks[${i}].secret must be non-empty without spaces`);
    }
    if (w.environment !== undefined && !SANDBOX_ENVIRONMENTS.includes(w.environment)) {
      throw new Error(
        `sandbox: webhooks[${i}].environment must be one of ${SANDBOX_ENVIRONMENTS.join(', ')}`,
      );
    }
  }
  const tokenProblem = adminTokenProblem(o.adminToken);
  if (tokenProblem) throw new Error(tokenProblem);
  for (const entry of o.allowlist ?? []) {
    if (!normalizeHost(entry))
      throw new Error(`sandbox: allowlist entry ${JSON.stringify(entry)} is not a domain or IP`);
  }
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
