import { expect } from 'vitest';
import { SettingsError } from '../../src/connector/settings.js';

/** The SettingsError a call throws (fails the test when it does not throw one). */
export function settingsErrorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error('expected a SettingsError');
}
