import type { Store } from '../../store/types.js';

/** What a timed store reports: a method's name and how long its promise took, settled either way. */
export interface StoreTimingObserver {
  storeCall(method: string, seconds: number): void;
  /** The method's arguments and result, when it succeeded (sessions started and ended are read off them). */
  storeResult?(method: string, args: readonly unknown[], result: unknown): void;
}

/**
 * The store, each of its async methods timed: a Proxy, so a method added to the Store later is timed too, with
 * nothing to keep in step. Methods run on the store itself (its private fields need the real `this`); properties
 * (`dialect`, `changes`) and synchronous methods (`lookupHash`) pass through. One wrapper per method, made once.
 */
export function timedStore(store: Store, observer: StoreTimingObserver): Store {
  type Method = (...args: unknown[]) => unknown;
  // Keyed by the function, not the name: a method replaced on the store (tests do) is timed as it is now.
  const wrappers = new WeakMap<Method, Method>();
  const originals = new WeakMap<Method, Method>();
  const wrap = (method: Method, name: string): Method => {
    const timed: Method = (...args) => {
      const started = performance.now();
      const result = method.apply(store, args);
      if (!(result instanceof Promise)) return result;
      return result.then(
        (resolved: unknown) => {
          observer.storeCall(name, (performance.now() - started) / 1000);
          observer.storeResult?.(name, args, resolved);
          return resolved;
        },
        (err: unknown) => {
          observer.storeCall(name, (performance.now() - started) / 1000);
          throw err;
        },
      );
    };
    wrappers.set(method, timed);
    originals.set(timed, method);
    return timed;
  };
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return wrappers.get(value as Method) ?? wrap(value as Method, prop);
    },
    // Putting back a method read through the proxy puts back the store's own, not a second wrapper around it.
    set(target, prop, value) {
      const original = typeof value === 'function' ? originals.get(value as Method) : undefined;
      return Reflect.set(target, prop, original ?? value, target);
    },
  });
}
