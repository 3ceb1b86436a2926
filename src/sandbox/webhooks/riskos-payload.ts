import type { SandboxEnvironment } from '../keys.js';

/** One RiskOS event of one evaluation, before it is wrapped for a subscription. */
export interface RiskOsEventRecord {
  /** evaluation_completed, case_notes_added, decision_update… (an open set, socure-api.md §10). */
  eventType: string;
  environment: SandboxEnvironment;
  evalId: string;
  /** ISO time on the sandbox clock. */
  at: string;
  /** The evaluation (for evaluation events) or the case note. */
  data: Record<string, unknown>;
}

export interface RiskOsWebhookBody {
  event_id: string;
  event_at: string;
  event_type: string;
  data: Record<string, unknown>;
}

/** The RiskOS delivery envelope (HS): `event_id` is per delivery, kept across retries. */
export function buildRiskOsWebhookBody(event: RiskOsEventRecord, id: string): RiskOsWebhookBody {
  return { event_id: id, event_at: event.at, event_type: event.eventType, data: event.data };
}
