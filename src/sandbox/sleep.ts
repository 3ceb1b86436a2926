/** Promise-based delay for latency and slow faults; unref'd so a pending delay never keeps Node alive. */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
