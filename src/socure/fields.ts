import { z } from 'zod';
import { stringThen } from '../shared/length-checks.js';

/** A string normalised by `fn`; the issue message says what form is expected. */
export const normalized = (fn: (v: string) => string | undefined, expected: string) =>
  z.string().transform((v, ctx) => {
    const out = fn(v);
    if (out === undefined) {
      // Never the value: it is personal (an SSN typo must not reach a banner, an output or a log).
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    return out;
  });

/** Non-empty trimmed text of bounded length (its length measured only once it is known to be a string). */
export const text = (max = 255) =>
  stringThen(z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`));

/** Socure echoes `customerUserId` as sent; it is sent as a string of at most 100 characters. */
export const customerUserIdField = () => z.union([z.string(), z.number()]).transform(String).pipe(text(100));
