import type { SessionRow } from '../store/types.js';

type Listener = (session: SessionRow) => void;

/**
 * Tells open waiting pages (SSE) that their session changed. In-process; a shared database with several
 * instances needs a cross-instance channel (PostgreSQL LISTEN/NOTIFY) feeding `publish`.
 */
export class ChangeHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  publish(session: SessionRow): void {
    for (const listener of this.listeners.get(session.id) ?? []) listener(session);
  }

  get size(): number {
    return this.listeners.size;
  }
}
