/** The offline Socure emulator: ID+, DocV with its capture app, webhooks, admin, SMS outbox, test clock. */
export { DEFAULT_ALLOWLIST, normalizeHost } from './allowlist.js';
export { buildSandboxApp, createSandbox } from './app.js';
export { environmentOf } from './auth.js';
export { SandboxClock } from './clock.js';
export { DOCV_MAGIC_INPUTS } from './docv/magic.js';
export { DOCV_OUTCOMES, type DocvOutcome, OUTCOME_SPECS } from './docv/outcomes.js';
export { buildDocumentVerification } from './docv/results.js';
export { TRIGGER_SCENARIOS, type TriggerScenario } from './docv/trigger.js';
export type { DeliveryKnobs, DocumentType, DocvTransaction } from './docv/types.js';
export { type DocvRequestInput, validateDocvRequest } from './docv/validate.js';
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
export {
  DEFAULT_TRANSACTION_TTL_MS,
  type SandboxOptions,
  type SandboxWebhookOption,
} from './options.js';
export { RISKOS_MAGIC_INPUTS } from './riskos/personas.js';
export { SANDBOX_WORKFLOWS } from './riskos/workflow.js';
export { maskPhone, type SmsMessage } from './sms.js';
export { type RunningSandbox, type SandboxClockControls, startSandbox } from './start.js';
export type { SandboxState } from './state.js';
export {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_RETRY_BASE_MS,
  MAX_DELIVERY_ATTEMPTS,
  retryDelayMs,
} from './webhooks/delivery.js';
export type { DeliveryAttempt } from './webhooks/delivery-log.js';
export { buildWebhookBody, type DocvWebhookBody, ENVIRONMENT_NAMES } from './webhooks/payload.js';
export { buildRiskOsWebhookBody, type RiskOsWebhookBody } from './webhooks/riskos-payload.js';
export type { PublicSubscription, WebhookSubscription } from './webhooks/subscriptions.js';
