import { SettingsError } from '../connector/settings.js';
import { DecryptionError } from '../crypto/envelope.js';
import { KeyRingError } from '../crypto/key-ring.js';
import { SocureError, SocureInputError } from '../socure/errors.js';
import { flagFor, UsageError } from './errors.js';

/**
 * Exit codes: 2 for bad input or configuration (naming the flag or setting), 1 for Socure, network or data trouble
 * (keys that do not open the stored data). Messages never hold a key.
 */
export function describeFailure(
  err: unknown,
  fieldToFlag: (field: string) => string = flagFor,
): { code: number; message: string } {
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof SettingsError) return { code: 2, message: err.message };
  // The key ring is configuration (DATA_ENCRYPTION_KEYS, the key file): its message says how to fix it.
  if (err instanceof KeyRingError) return { code: 2, message: err.message };
  // The keys do not open the stored data: the message names the record and the key, never a key's bytes.
  if (err instanceof DecryptionError) return { code: 1, message: err.message };
  if (err instanceof SocureInputError) {
    const flag = fieldToFlag(err.field);
    return { code: 2, message: `${flag}: ${err.reason}` };
  }
  if (err instanceof SocureError) return { code: 1, message: err.message };
  return { code: 1, message: err instanceof Error ? err.message : String(err) };
}
