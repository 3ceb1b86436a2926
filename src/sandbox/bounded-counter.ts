/**
 * Counts events per key with a hard cap on the number of keys (oldest forgotten first), so magic
 * ids such as `fault-503-x2-<unique>` cannot grow the sandbox's memory without bound.
 */
export class BoundedCounter {
  readonly #counts = new Map<string, number>();
  constructor(readonly maxKeys = 10_000) {}

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  increment(key: string): number {
    const next = this.get(key) + 1;
    this.#counts.delete(key); // re-insert so the key becomes the newest
    this.#counts.set(key, next);
    while (this.#counts.size > this.maxKeys) {
      const oldest = this.#counts.keys().next().value;
      if (oldest === undefined) break;
      this.#counts.delete(oldest);
    }
    return next;
  }

  get size(): number {
    return this.#counts.size;
  }
}
