import { SettingsError } from '../connector/settings.js';
import { SocureError, SocureInputError } from '../socure/errors.js';
import { flagFor, UsageError } from './errors.js';

/** Exit codes: 2 for bad input (naming the flag), 1 for Socure or network trouble. Messages never hold the key. */
export function describeFailure(
  err: unknown,
  fieldToFlag: (field: string) => string = flagFor,
): { code: number; message: string } {
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof SettingsError) return { code: 2, message: err.message };
  if (err instanceof SocureInputError) {
    const flag = fieldToFlag(err.field);
    return { code: 2, message: `${flag}: ${err.reason}` };
  }
  if (err instanceof SocureError) return { code: 1, message: err.message };
  return { code: 1, message: err instanceof Error ? err.message : String(err) };
}
