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
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        fn = (...args: unknown[]) => {
          const started = performance.now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (resolved: unknown) => {
              observer.storeCall(prop, (performance.now() - started) / 1000);
              observer.storeResult?.(prop, args, resolved);
              return resolved;
            },
            (err: unknown) => {
              observer.storeCall(prop, (performance.now() - started) / 1000);
              throw err;
            },
          );
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
