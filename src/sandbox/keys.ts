import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './sha256.js';

/** The keys Socure issues per environment: the secret ID+ key, the public SDK key and the RiskOS API key. */
export interface SandboxEnvironmentKeys {
  idPlusKey: string;
  sdkKey: string;
  /** RiskOS's own key, sent as `Authorization: Bearer <key>` (socure-api.md §10). */
  riskOsKey: string;
}
export type SandboxEnvironment = 'sandbox' | 'certification' | 'production';
export type SandboxKeys = Record<SandboxEnvironment, SandboxEnvironmentKeys>;
export type SandboxKeyOverrides = Partial<Record<SandboxEnvironment, Partial<SandboxEnvironmentKeys>>>;

const KEY_KINDS = ['idPlusKey', 'sdkKey', 'riskOsKey'] as const;
type KeyKind = (typeof KEY_KINDS)[number];

export const SANDBOX_ENVIRONMENTS: readonly SandboxEnvironment[] = ['sandbox', 'certification', 'production'];

/**
 * Fixed, documented keys so that demos and tests work without configuration. The sandbox pair is the
 * example pair of the seed; the other two are obviously fake. None of them is a real Socure key.
 */
export const DEFAULT_SANDBOX_KEYS: SandboxKeys = {
  sandbox: {
    idPlusKey: 'a1b234cd-75e1-9e01-f234-56abcdef6789',
    sdkKey: 'd450e856-9e01-75e1-8cec-64efe8eef39b',
    riskOsKey: 'b7e3c1a0-5f2d-4e8a-9c6b-0d1e2f3a4b5c',
  },
  certification: {
    idPlusKey: 'c3a7f1e2-0000-4c00-8000-000000000001',
    sdkKey: 'c3a7f1e2-0000-4c00-8000-000000000002',
    riskOsKey: 'c3a7f1e2-0000-4c00-8000-000000000003',
  },
  production: {
    idPlusKey: '9e0d2b4a-0000-4f00-8000-000000000001',
    sdkKey: '9e0d2b4a-0000-4f00-8000-000000000002',
    riskOsKey: '9e0d2b4a-0000-4f00-8000-000000000003',
  },
};

/** Defaults with overrides applied; refuses empty or reused keys, which would make auth ambiguous. */
export function resolveKeys(overrides: SandboxKeyOverrides = {}): SandboxKeys {
  const keys = {} as SandboxKeys;
  const seen = new Set<string>();
  for (const env of SANDBOX_ENVIRONMENTS) {
    const merged = { ...DEFAULT_SANDBOX_KEYS[env], ...overrides[env] };
    for (const kind of KEY_KINDS) {
      const value = merged[kind];
      if (typeof value !== 'string' || value.trim() === '') {
        throw new Error(`sandbox keys: ${env}.${kind} must be a non-empty string`);
      }
      if (seen.has(value)) throw new Error(`sandbox keys: ${env}.${kind} is already used by another key`);
      seen.add(value);
    }
    keys[env] = merged;
  }
  return keys;
}

// Digests have equal length, so timingSafeEqual can compare keys of any length without leaking it.
const digest = (value: string) => Buffer.from(sha256Hex(value), 'hex');
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export type KeyMatch = { environment: SandboxEnvironment; kind: KeyKind } | undefined;

/** Which environment (and which kind of key) a presented key belongs to, compared in constant time. */
export function matchKey(keys: SandboxKeys, presented: string): KeyMatch {
  let found: KeyMatch;
  for (const environment of SANDBOX_ENVIRONMENTS) {
    for (const kind of KEY_KINDS) {
      if (sameSecret(keys[environment][kind], presented) && !found) found = { environment, kind };
    }
  }
  return found;
}

/**
 * `matchKey` for a fixed set of keys (they are read-only once the sandbox runs): the configured keys are
 * hashed once, here; a request costs one SHA-256 of the presented key and one Map lookup of that digest.
 * The lookup compares digests, never the secret itself, so its timing says nothing useful about the
 * keys (learning a key from it would take a SHA-256 preimage).
 */
export function createKeyMatcher(keys: SandboxKeys): (presented: string) => KeyMatch {
  const byDigest = new Map<string, NonNullable<KeyMatch>>();
  for (const environment of SANDBOX_ENVIRONMENTS) {
    for (const kind of KEY_KINDS) {
      // resolveKeys refuses reused keys; should two still collide, the first wins, as in matchKey.
      const d = sha256Hex(keys[environment][kind]);
      if (!byDigest.has(d)) byDigest.set(d, Object.freeze({ environment, kind }));
    }
  }
  return (presented) => byDigest.get(sha256Hex(presented));
}
