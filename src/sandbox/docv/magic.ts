import type { MagicInput } from '../idplus/magic.js';
import type { DocvOutcome } from './outcomes.js';
import type { DocvPii } from './types.js';

/** surName (case-insensitive) → forced DocV outcome. */
const MAGIC_SURNAMES: Readonly<Record<string, DocvOutcome>> = {
  expired: 'reject-expired',
  mismatch: 'reject-mismatch',
  spoof: 'reject-spoof',
  tampered: 'reject-tampered',
  minor: 'reject-minor',
  resubmit: 'resubmit',
  review: 'review',
};

/**
 * DocV inputs that force an outcome, in the shape of MAGIC_INPUTS so the README and the CLI can print
 * both. They are read from the PII of the document request; the capture app can still override them.
 */
export const DOCV_MAGIC_INPUTS: MagicInput[] = [
  {
    field: 'surName',
    value: 'Expired',
    effect: 'reject R827 (document expired), documentNumber SOC86753099, expirationDate 2022-10-13',
  },
  { field: 'surName', value: 'Mismatch', effect: 'reject R836 (selfie does not match the document)' },
  {
    field: 'surName',
    value: 'Spoof',
    effect: 'reject R834 (selfie fails liveness), documentNumber SOC23067038',
  },
  { field: 'surName', value: 'Tampered', effect: 'reject R810 (document layout/integrity failed)' },
  { field: 'surName', value: 'Minor', effect: 'reject R845 (under age), dob 2012-06-15' },
  { field: 'surName', value: 'Resubmit', effect: 'resubmit with I848, R838 (not captured properly)' },
  { field: 'surName', value: 'Review', effect: 'review with I856 (liveness not determined)' },
  {
    field: '(any other)',
    value: '',
    effect:
      'accept with I831, I836, I834, I845, plus I822–I825 for each of firstName, surName, address, dob sent',
  },
];

/** The outcome the PII forces, or accept. */
export function magicOutcomeOf(pii: DocvPii): DocvOutcome {
  const key = pii.surName?.trim().toLowerCase();
  return (key !== undefined && MAGIC_SURNAMES[key]) || 'accept';
}
