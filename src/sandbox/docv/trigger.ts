import { createHash } from 'node:crypto';
import type { DocvLifecycle } from './lifecycle.js';
import type { DocvOutcome } from './outcomes.js';
import type { DocvTransaction } from './types.js';

/** Scenarios of `POST /sandbox/transactions/:token/trigger`, like `stripe trigger`: no browser needed. */
export const TRIGGER_SCENARIOS = [
  {
    name: 'complete-accept',
    description:
      'open, consent, license front + back, selfie, submit → accept (all events through SESSION_COMPLETE)',
  },
  { name: 'complete-reject', description: 'the whole capture, then reject R827 (document expired)' },
  { name: 'complete-review', description: 'the whole capture, then review (I856)' },
  { name: 'complete-resubmit', description: 'the whole capture, then resubmit (I848, R838)' },
  { name: 'decline', description: 'open, then CONSENT_DECLINED' },
  { name: 'expire', description: 'SESSION_EXPIRED now, as if the transaction’s TTL had passed' },
  { name: 'upload-failed', description: 'open, consent, front uploaded, then DOCUMENTS_UPLOAD_FAILED' },
] as const;
export type TriggerScenario = (typeof TRIGGER_SCENARIOS)[number]['name'];

export const isTriggerScenario = (v: unknown): v is TriggerScenario =>
  TRIGGER_SCENARIOS.some((s) => s.name === v);

const COMPLETE: Partial<Record<TriggerScenario, DocvOutcome>> = {
  'complete-accept': 'accept',
  'complete-reject': 'reject-expired',
  'complete-review': 'review',
  'complete-resubmit': 'resubmit',
};

const fakeImage = (side: string) => ({
  bytes: 1024,
  sha256: createHash('sha256').update(`sandbox-trigger-${side}`).digest('hex'),
});

/**
 * Drives a pending transaction through a scenario from wherever it stands (steps already done are not
 * repeated). Returns false when the transaction had already finished.
 */
export function runTrigger(
  lifecycle: DocvLifecycle,
  tx: DocvTransaction,
  scenario: TriggerScenario,
): boolean {
  lifecycle.refresh(tx);
  if (tx.status !== 'pending') return false;
  if (scenario === 'expire') return lifecycle.expire(tx).kind === 'done';
  lifecycle.open(tx);
  if (scenario === 'decline') return lifecycle.consent(tx, false).kind === 'done';
  const outcome = COMPLETE[scenario];
  // At most one pass over the six steps; the bound keeps a logic slip from looping.
  for (let i = 0; i < 8 && tx.status === 'pending'; i++) {
    const position = lifecycle.position(tx);
    if (
      scenario === 'upload-failed' &&
      (position === 'back' || position === 'selfie' || position === 'review')
    ) {
      return lifecycle.failUpload(tx).kind === 'done';
    }
    if (position === 'consent') lifecycle.consent(tx, true);
    else if (position === 'document-type') lifecycle.chooseDocumentType(tx, 'license');
    else if (position === 'front' || position === 'back' || position === 'selfie') {
      lifecycle.upload(tx, position, fakeImage(position));
    } else if (position === 'review') lifecycle.submit(tx, outcome ?? 'accept');
  }
  return true;
}
