/** The store proxy that times every store call for /metrics (src/server/metrics/store-timing.ts). */
import { describe, expect, it } from 'vitest';
import { timedStore } from '../../src/server/metrics/store-timing.js';
import type { Store } from '../../src/store/types.js';

class FakeStore {
  readonly dialect = 'sqlite';
  #rows = new Map([['a', 1]]);
  async getSession(id: string) {
    return this.#rows.get(id); // a private field: the method must run on the store itself
  }
  async fail(): Promise<never> {
    throw new Error('disk I/O error');
  }
  lookupHash(value: string) {
    return `h:${value}`;
  }
}

function timed() {
  const calls: string[] = [];
  const results: unknown[] = [];
  const raw = new FakeStore();
  const store = timedStore(raw as unknown as Store, {
    storeCall: (method, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      calls.push(method);
    },
    storeResult: (method, args, result) => results.push([method, args, result]),
  }) as unknown as FakeStore & Record<string, unknown>;
  return { raw, store, calls, results };
}

describe('timedStore', () => {
  it('times each async call by method name, on the store itself, settled either way', async () => {
    const { store, calls, results } = timed();
    expect(await store.getSession('a')).toBe(1);
    await expect(store.fail()).rejects.toThrow('disk I/O error');
    expect(calls).toEqual(['getSession', 'fail']);
    expect(results).toEqual([['getSession', ['a'], 1]]); // a failed call has no result
  });

  it('passes properties and synchronous methods through untimed', () => {
    const { store, calls } = timed();
    expect(store.dialect).toBe('sqlite');
    expect(store.lookupHash('x')).toBe('h:x');
    expect(calls).toEqual([]);
  });

  it('times a method replaced on the store as it is now, and puts back the original unwrapped', async () => {
    const { raw, store, calls } = timed();
    const original = store.getSession;
    store.getSession = async () => 42;
    expect(await store.getSession('a')).toBe(42);
    store.getSession = original;
    expect(raw.getSession).toBe(FakeStore.prototype.getSession); // not a wrapper around a wrapper
    expect(await store.getSession('a')).toBe(1);
    expect(calls).toEqual(['getSession', 'getSession']);
  });
});
