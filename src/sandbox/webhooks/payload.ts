import { DOCV_EVENT_MESSAGES, type DocvEventType } from '../../webhooks/events.js';
import type { SandboxEnvironment } from '../keys.js';

/** `environmentName` as Socure spells it (the real capture says "Sandbox"; PING-C shows "production"). */
export const ENVIRONMENT_NAMES: Readonly<Record<SandboxEnvironment, string>> = {
  sandbox: 'Sandbox',
  certification: 'Certification',
  production: 'production',
};

/** One event of one transaction, before it is wrapped for a subscription. */
export interface DocvEventRecord {
  eventType: DocvEventType;
  environment: SandboxEnvironment;
  referenceId: string;
  /** v5 only (socure-api.md §6). */
  docvTransactionToken?: string;
  customerUserId?: string | number;
  /** ISO time on the sandbox clock. */
  created: string;
  data: Record<string, unknown>;
}

export interface DocvWebhookBody {
  id: string;
  origId: string;
  eventGroup: 'DocvNotification';
  reason: DocvEventType;
  environmentName: string;
  event: {
    eventType: DocvEventType;
    referenceId: string;
    docvTransactionToken?: string;
    customerUserId?: string | number;
    message: string;
    created: string;
    data: Record<string, unknown>;
  };
}

/** The delivery body exactly as socure-api.md §6 shows it; `id` is per delivery, kept across retries. */
export function buildWebhookBody(event: DocvEventRecord, id: string): DocvWebhookBody {
  return {
    id,
    origId: event.referenceId,
    eventGroup: 'DocvNotification',
    reason: event.eventType,
    environmentName: ENVIRONMENT_NAMES[event.environment],
    event: {
      eventType: event.eventType,
      referenceId: event.referenceId,
      ...(event.docvTransactionToken === undefined
        ? {}
        : { docvTransactionToken: event.docvTransactionToken }),
      ...(event.customerUserId === undefined ? {} : { customerUserId: event.customerUserId }),
      message: DOCV_EVENT_MESSAGES[event.eventType],
      created: event.created,
      data: event.data,
    },
  };
}
