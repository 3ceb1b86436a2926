import { SocureInputError } from '../socure/errors.js';

/** Bad command-line input; `flag` names the flag at fault. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag a request field comes from (`firstName` → `--first-name`). */
export const flagFor = (field: string) => `--${kebab(field.split('.')[0]!)}`;

/**
 * Runs a command body, reporting an input error under the flag the person typed when the field's name differs
 * (`config.redirect.url` → `--redirect-url`); other fields fall back to `flagFor`.
 */
export async function withFlagNames<T>(
  flags: Readonly<Record<string, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof SocureInputError)) throw err;
    throw new UsageError(`${flags[err.field] ?? flagFor(err.field)}: ${err.reason}`);
  }
}
