import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { arrayThen, stringThen } from '../../shared/length-checks.js';
import { SocureInputError } from '../errors.js';
import {
  countryField,
  dobField,
  emailField,
  ipAddressField,
  mobileNumberField,
  nationalIdField,
  stateField,
  text,
} from '../fields.js';
import { inputErrorFrom } from '../idplus/request.js';
import { normalizeZip } from '../normalize.js';

/**
 * The RiskOS Evaluation request (socure-api.md §10). Strict on what is sent: every object is strict (a typo
 * is an error naming the field, before any network call) and the fields Socure is strict about elsewhere are
 * normalised as the ID+ client does: E.164 phone, ISO date of birth, digits-only SSN, ISO country.
 */

const addressSchema = z.strictObject({
  line_1: text().optional(),
  line_2: text().optional(),
  locality: text().optional(),
  major_admin_division: stateField().optional(),
  country: countryField().optional(),
  /** Checked against the country once it is known (US: 5 digits or ZIP+4). */
  postal_code: text(20).optional(),
});

export const RISKOS_DOCUMENT_TYPES = ['license', 'passport'] as const;

const docvSchema = z.strictObject({
  /** A finished DocV transaction to evaluate (when the workflow does not start one itself). */
  transaction_token: text().optional(),
  config: z
    .strictObject({
      send_message: z.boolean().optional(),
      language: text(10).optional(),
      use_case_key: text().optional(),
      redirect: z
        .strictObject({
          url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
          method: z.enum(['GET', 'POST']).default('POST'),
        })
        .optional(),
      document_type: z.enum(RISKOS_DOCUMENT_TYPES).optional(),
    })
    .optional(),
});

const customSchema = z.record(z.string(), z.unknown());

export const riskOsIndividualSchema = z.strictObject({
  id: text().optional(),
  given_name: text().optional(),
  middle_name: text().optional(),
  family_name: text().optional(),
  national_id: nationalIdField().optional(),
  date_of_birth: dobField().optional(),
  email: emailField().optional(),
  phone_number: mobileNumberField().optional(),
  address: addressSchema.optional(),
  docv: docvSchema.optional(),
  otp: z.strictObject({ code: text(20).optional(), resend: z.boolean().optional() }).optional(),
  di_session_token: text(2048).optional(),
  custom: customSchema.optional(),
});

export const RISKOS_CHANNELS = ['web', 'mobile', 'pos', 'other'] as const;

export const riskOsDataSchema = z.strictObject({
  individual: riskOsIndividualSchema.optional(),
  additional_individuals: arrayThen(z.array(riskOsIndividualSchema).max(20)).optional(),
  channel: z.enum(RISKOS_CHANNELS).optional(),
  line_of_business: text().optional(),
  ip_address: ipAddressField().optional(),
  external_device: customSchema.optional(),
  custom: customSchema.optional(),
});

export const riskOsEvaluationRequestSchema = z.strictObject({
  /** The workflow's name as configured in RiskOS, e.g. `consumer_onboarding`. */
  workflow: text(),
  /** Your id of this evaluation; generated when absent. Sending an id again re-runs the evaluation. */
  id: text().optional(),
  /** RFC 3339; now when absent. */
  timestamp: z
    .union([z.date(), z.iso.datetime({ offset: true, error: 'expected an RFC 3339 timestamp' })])
    .optional(),
  data: riskOsDataSchema,
});

/** What callers pass to `evaluations.create()`. */
export type RiskOsEvaluationRequest = z.input<typeof riskOsEvaluationRequestSchema>;
export type RiskOsIndividual = z.input<typeof riskOsIndividualSchema>;
/** The JSON body sent to RiskOS. */
export type RiskOsWireRequest = Omit<z.output<typeof riskOsEvaluationRequestSchema>, 'id' | 'timestamp'> & {
  id: string;
  timestamp: string;
};

type WireIndividual = z.output<typeof riskOsIndividualSchema>;

function checkPostalCode(individual: WireIndividual | undefined, at: string): void {
  const address = individual?.address;
  if (address?.postal_code === undefined) return;
  const zip = normalizeZip(address.postal_code, address.country);
  if (zip === undefined)
    throw new SocureInputError(`${at}.address.postal_code`, 'expected 5 digits or ZIP+4');
  address.postal_code = zip;
}

/** Validates and normalises a request; throws SocureInputError naming the field, never touches the network. */
export function buildRiskOsRequest(input: RiskOsEvaluationRequest): RiskOsWireRequest {
  const parsed = riskOsEvaluationRequestSchema.safeParse(input);
  if (!parsed.success) throw inputErrorFrom(parsed.error);
  const { id, timestamp, ...rest } = parsed.data;
  checkPostalCode(rest.data.individual, 'data.individual');
  rest.data.additional_individuals?.forEach((p, i) => {
    checkPostalCode(p, `data.additional_individuals.${i}`);
  });
  return {
    ...rest,
    id: id ?? randomUUID(),
    timestamp: (timestamp instanceof Date ? timestamp : new Date(timestamp ?? Date.now())).toISOString(),
  };
}

/** A PATCH of a paused evaluation: `data` fields to add or replace (same checks as a request's `data`). */
export const riskOsPatchSchema = z.strictObject({ data: riskOsDataSchema.partial() });
export type RiskOsEvaluationPatch = z.input<typeof riskOsPatchSchema>;

export const RISKOS_STATE_DECISIONS = ['ACCEPT', 'REJECT', 'REVIEW', 'RESUBMIT', 'CANCEL'] as const;

/** `PUT /api/evaluation/{eval_id}/state`: a reviewer's decision. */
export const riskOsStateSchema = z.strictObject({
  workflow: text(),
  decision: z.enum(RISKOS_STATE_DECISIONS),
  /** OPEN | ON_HOLD | CLOSED in Socure's examples; sent as given. */
  status: text(50),
  notes: text(5000).optional(),
  attachments: arrayThen(
    z
      .array(
        z.strictObject({ file_name: text(), file_data: stringThen(z.string().min(1, 'must not be empty')) }),
      )
      .max(20),
  ).optional(),
});
export type RiskOsStateChange = z.input<typeof riskOsStateSchema>;
