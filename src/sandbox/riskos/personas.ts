import type { MagicInput } from '../idplus/magic.js';

/** What a RiskOS workflow decides before any enrichment: a persona forces it. */
export type ForcedRiskOsOutcome = 'accept' | 'step-up' | 'reject';

/**
 * Socure's RiskOS sandbox personas (socure-api.md §10, ROS-PM): Socure's sandbox answers only these
 * pre-configured requests; the emulator accepts them and lets every other input go through its ID+ logic.
 */
const PERSONAS: ReadonlyArray<{ nationalId: string; dob?: string; outcome: ForcedRiskOsOutcome }> = [
  { nationalId: '666478381', dob: '1944-03-30', outcome: 'accept' },
  { nationalId: '666990266', dob: '1990-04-04', outcome: 'step-up' },
  { nationalId: '000000003', outcome: 'reject' },
];

export function personaOutcomeOf(
  nationalId: string | undefined,
  dob: string | undefined,
): ForcedRiskOsOutcome | undefined {
  const ssn = nationalId?.replace(/[\s-]/g, '');
  return PERSONAS.find((p) => p.nationalId === ssn && (p.dob === undefined || p.dob === dob))?.outcome;
}

/** The RiskOS personas and how the `consumer_onboarding` workflow maps the sandbox's ID+ logic. */
export const RISKOS_MAGIC_INPUTS: MagicInput[] = [
  {
    field: 'national_id+date_of_birth',
    value: '666478381 1944-03-30 (Stanley Brown)',
    effect: 'Socure’s RiskOS persona: ACCEPT (200, evaluation_completed)',
  },
  {
    field: 'national_id+date_of_birth',
    value: '666990266 1990-04-04 (Jax Myra)',
    effect: 'Socure’s RiskOS persona: DocV step-up (201, evaluation_paused, decision REVIEW, status ON_HOLD)',
  },
  { field: 'national_id', value: '000000003 (“Sagi Reject”)', effect: 'Socure’s RiskOS persona: REJECT' },
  {
    field: 'family_name (and every ID+ magic input)',
    value: 'Accept / Reject / Review / Resubmit / Refer …',
    effect:
      'the ID+ decision maps: accept → ACCEPT, reject → REJECT, review → REVIEW, resubmit → REVIEW (tag "Resubmit"), refer → DocV step-up',
  },
  {
    field: '(ID+ refuses the input)',
    value: 'e.g. no family_name',
    effect:
      'the ID+ enrichment fails inside a 200: status_code 400 with the ID+ error body, decision REJECT, tag "Verify Error"',
  },
  {
    field: 'after the step-up',
    value: 'the DocV outcome (capture app, `sandbox trigger`, DocV magic surnames)',
    effect:
      'accept → ACCEPT, reject → REJECT, review/resubmit → REVIEW; declined, expired or failed capture → REJECT; then evaluation_completed',
  },
];
