/**
 * Every result the sandbox can produce for a DocV transaction. The magic surNames (magic.ts), the
 * capture app's "Simulated outcome" select and the trigger scenarios all name one of these.
 */
export const DOCV_OUTCOMES = [
  'accept',
  'reject-expired',
  'reject-mismatch',
  'reject-spoof',
  'reject-tampered',
  'reject-minor',
  'resubmit',
  'review',
] as const;
export type DocvOutcome = (typeof DOCV_OUTCOMES)[number];

export interface OutcomeSpec {
  label: string;
  decision: 'accept' | 'reject' | 'review' | 'resubmit';
  /** Codes before the PII match codes (I822–I825), which only accept and review add. */
  reasonCodes: string[];
  /** Socure's published sandbox test document numbers where one exists (socure-api.md §7). */
  documentNumber?: string;
  expirationDate?: string;
  dob?: string;
}

export const OUTCOME_SPECS: Readonly<Record<DocvOutcome, OutcomeSpec>> = {
  accept: { label: 'Accept', decision: 'accept', reasonCodes: ['I831', 'I836', 'I834', 'I845'] },
  'reject-expired': {
    label: 'Reject: document expired (R827)',
    decision: 'reject',
    reasonCodes: ['R827', 'I831', 'I836', 'I834'],
    documentNumber: 'SOC86753099',
    expirationDate: '2022-10-13',
  },
  'reject-mismatch': {
    label: 'Reject: selfie does not match the document (R836)',
    decision: 'reject',
    reasonCodes: ['R836', 'I831', 'I834'],
  },
  'reject-spoof': {
    label: 'Reject: selfie fails liveness (R834)',
    decision: 'reject',
    reasonCodes: ['R834', 'I831'],
    documentNumber: 'SOC23067038',
  },
  'reject-tampered': {
    label: 'Reject: document layout/integrity failed (R810)',
    decision: 'reject',
    reasonCodes: ['R810', 'I831', 'I836', 'I834'],
  },
  'reject-minor': {
    label: 'Reject: person is under age (R845)',
    decision: 'reject',
    reasonCodes: ['R845', 'I831', 'I836', 'I834'],
    dob: '2012-06-15',
  },
  resubmit: {
    label: 'Resubmit: document not captured properly (I848, R838)',
    decision: 'resubmit',
    reasonCodes: ['I848', 'R838'],
  },
  review: {
    label: 'Review: liveness not determined (I856)',
    decision: 'review',
    reasonCodes: ['I831', 'I836', 'I845', 'I856'],
  },
};

export const isDocvOutcome = (v: unknown): v is DocvOutcome =>
  typeof v === 'string' && (DOCV_OUTCOMES as readonly string[]).includes(v);
