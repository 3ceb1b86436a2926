import type { SandboxState } from '../state.js';

export const SWEEP_INTERVAL_MS = 250;

/**
 * Expires pending transactions whose TTL has passed on the sandbox clock (SESSION_EXPIRED fires even if
 * nobody opens the link again): every 250 ms, and at once after the clock is advanced.
 * Returns a stop function.
 */
export function startExpirySweeper(state: SandboxState, intervalMs = SWEEP_INTERVAL_MS): () => void {
  const sweep = () => {
    const now = state.clock.now();
    for (const tx of [...state.transactions.pending()]) {
      if (tx.expiresAt <= now) state.lifecycle.refresh(tx);
    }
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  const unsubscribe = state.clock.onAdvance(sweep);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
