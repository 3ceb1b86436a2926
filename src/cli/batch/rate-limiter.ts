import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1_000, sec: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `10/s`, `600/min`, `5` (per second) → milliseconds between two calls; `0` or `none` → no limit. */
export function parseRate(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'none') return 0;
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|sec|m|min|h))?$/.exec(v);
  const count = m ? Number(m[1]) : Number.NaN;
  if (!m || !(count > 0))
    throw new UsageError(`--rate ${value}: expected calls per second or minute, e.g. 10/s or 600/min`);
  return UNITS[m[2] ?? 's']! / count;
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Spaces call starts at least `intervalMs` apart (no bursts: a 10/s limit is one call every 100 ms), and holds
 * every call back after a 429 until the server's Retry-After has passed.
 */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: LimiterClock = REAL,
  ) {}

  /** Resolves when the caller may start its call (slots are handed out in order of asking). */
  async acquire(): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await this.clock.sleep(slot - now);
  }

  /** After a 429: no call starts before `ms` from now. */
  pauseFor(ms: number): void {
    this.nextSlot = Math.max(this.nextSlot, this.clock.now() + ms);
  }
}
