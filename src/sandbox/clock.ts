/**
 * The sandbox's controllable clock: real time plus an offset that only moves forward, like Stripe's
 * test clocks. Transaction lifetimes are measured on it, so a test can expire a session in no time.
 */
export class SandboxClock {
  #offsetMs = 0;
  readonly #listeners = new Set<() => void>();

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Moves the clock forward and tells listeners (the expiry sweeper) at once. */
  advance(ms: number): number {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError('clock: ms must be a number ≥ 0');
    this.#offsetMs += ms;
    for (const listener of this.#listeners) listener();
    return this.now();
  }

  /** Returns an unsubscribe function. */
  onAdvance(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  toJSON() {
    const now = this.now();
    return { now: new Date(now).toISOString(), nowMs: now, offsetMs: this.#offsetMs };
  }
}
