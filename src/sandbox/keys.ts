import { timingSafeEqual } from 'node:crypto';
import { sha256 } from './sha256.js';

/** The two keys Socure issues per environment: the secret ID+ key and the public SDK key. */
export interface SandboxEnvironmentKeys {
  idPlusKey: string;
  sdkKey: string;
}
export type SandboxEnvironment = 'sandbox' | 'certification' | 'production';
export type SandboxKeys = Record<SandboxEnvironment, SandboxEnvironmentKeys>;
export type SandboxKeyOverrides = Partial<Record<SandboxEnvironment, Partial<SandboxEnvironmentKeys>>>;

export const SANDBOX_ENVIRONMENTS: readonly SandboxEnvironment[] = ['sandbox', 'certification', 'production'];

/**
 * Fixed, documented keys so that demos and tests work without configuration. The sandbox pair is the
 * example pair of the seed; the other two are obviously fake. None of them is a real Socure key.
 */
export const DEFAULT_SANDBOX_KEYS: SandboxKeys = {
  sandbox: {
    idPlusKey: 'a1b234cd-75e1-9e01-f234-56abcdef6789',
    sdkKey: 'd450e856-9e01-75e1-8cec-64efe8eef39b',
  },
  certification: {
    idPlusKey: 'c3a7f1e2-0000-4c00-8000-000000000001',
    sdkKey: 'c3a7f1e2-0000-4c00-8000-000000000002',
  },
  production: {
    idPlusKey: '9e0d2b4a-0000-4f00-8000-000000000001',
    sdkKey: '9e0d2b4a-0000-4f00-8000-000000000002',
  },
};

/** Defaults with overrides applied; refuses empty or reused keys, which would make auth ambiguous. */
export function resolveKeys(overrides: SandboxKeyOverrides = {}): SandboxKeys {
  const keys = {} as SandboxKeys;
  const seen = new Set<string>();
  for (const env of SANDBOX_ENVIRONMENTS) {
    const merged = { ...DEFAULT_SANDBOX_KEYS[env], ...overrides[env] };
    for (const kind of ['idPlusKey', 'sdkKey'] as const) {
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
const sameSecret = (a: string, b: string) => timingSafeEqual(sha256(a), sha256(b));

const KEY_KINDS = ['idPlusKey', 'sdkKey'] as const;

export type KeyMatch = { environment: SandboxEnvironment; kind: 'idPlusKey' | 'sdkKey' } | undefined;

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
 * hashed once here, so a request costs one digest of the presented key, then one constant-time comparison
 * with every candidate (no early exit, so the timing does not tell which key, if any, matched).
 */
export function createKeyMatcher(keys: SandboxKeys): (presented: string) => KeyMatch {
  const candidates: Array<{ digest: Buffer; match: NonNullable<KeyMatch> }> = [];
  for (const environment of SANDBOX_ENVIRONMENTS) {
    for (const kind of KEY_KINDS) {
      candidates.push({ digest: sha256(keys[environment][kind]), match: { environment, kind } });
    }
  }
  return (presented) => {
    const digest = sha256(presented);
    let found: KeyMatch;
    for (const candidate of candidates) {
      if (timingSafeEqual(candidate.digest, digest) && !found) found = candidate.match;
    }
    return found;
  };
}
