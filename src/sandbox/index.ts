/** The offline Socure emulator: ID+ today; DocV, capture app, admin and webhooks join as plugins. */
export { buildSandboxApp } from './app.js';
export { environmentOf } from './auth.js';
export { FAULT_KINDS, type FaultKind, type FaultRates, parseDuration, parseFaultSpec } from './faults.js';
export { type EngineDeps, evaluateIdPlus } from './idplus/engine.js';
export { MAGIC_INPUTS, type MagicInput } from './idplus/magic.js';
export { validateIdPlusRequest } from './idplus/validate.js';
export {
  DEFAULT_SANDBOX_KEYS,
  type SandboxEnvironment,
  type SandboxEnvironmentKeys,
  type SandboxKeyOverrides,
  type SandboxKeys,
} from './keys.js';
export type { SandboxOptions } from './options.js';
export { type RunningSandbox, startSandbox } from './start.js';
