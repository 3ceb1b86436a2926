// biome-ignore lint/suspicious/noExplicitAny: any error class
type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * Runs a parser on generated input: it either returns, or throws one of the library's own error classes.
 * Anything else (TypeError, RangeError from a stack overflow, a zod error escaping) fails with the input.
 */
export function returnsOrThrows<T>(
  run: () => T,
  allowed: readonly ErrorClass[],
  input: unknown,
): T | undefined {
  try {
    return run();
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return undefined;
    const shown = (() => {
      try {
        return JSON.stringify(input)?.slice(0, 300);
      } catch {
        return String(typeof input);
      }
    })();
    throw new Error(`threw ${(err as Error)?.name ?? typeof err}: ${(err as Error)?.message} for ${shown}`, {
      cause: err,
    });
  }
}
