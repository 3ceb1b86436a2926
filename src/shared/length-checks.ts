import { z } from 'zod';

/**
 * `checked`, reached only by strings. zod 4 runs `.min()`/`.max()`/`.length()` on any value with a `length`
 * property even after the type check failed, so untrusted `{"length":{"toString":1}}` made safeParse throw
 * a TypeError (and `{"length":<20,000 nested arrays>}` a RangeError) instead of returning an issue. Piping
 * from the bare type first leaves the length checks only strings to measure; issues and paths are unchanged.
 */
export const stringThen = <T extends z.ZodType<unknown, string>>(checked: T) => z.string().pipe(checked);

/** The same for arrays: `checked` (e.g. `z.array(item).min(1)`) sees only arrays. */
export const arrayThen = <T extends z.ZodType<unknown, unknown[]>>(checked: T) =>
  z.array(z.unknown()).pipe(checked);
