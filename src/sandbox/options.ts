import type { FaultRates } from './faults.js';
import type { SandboxKeyOverrides } from './keys.js';

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
}

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SLOW_MS = 3000;

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
}
