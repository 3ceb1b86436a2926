import type { ChangeFeed, SessionChange } from './types.js';

type Listener = (change: SessionChange) => void;

/**
 * Listeners by session id. The SQLite store publishes into it after each commit (shared by every store of this
 * process on one file); the PostgreSQL store publishes what LISTEN receives.
 */
export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Map<string, Set<Listener>>();

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.#listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.#listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(sessionId);
    };
  }

  publish(change: SessionChange): void {
    const set = this.#listeners.get(change.id);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(change);
      } catch {
        // One broken listener (a closed response) must not stop the others or the committing caller.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
