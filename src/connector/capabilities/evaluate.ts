import { z } from 'zod';
import { stringThen } from '../../shared/length-checks.js';
import {
  RISKOS_CHANNELS,
  type RiskOsEvaluationRequest,
  type RiskOsEvaluationResult,
  riskOsEvaluationSchema,
  SocureInputError,
} from '../../socure/index.js';
import { setWirePath } from '../../socure/riskos/wire-path.js';
import {
  type CapabilityProperty,
  defineCapability,
  parseCapabilityInput,
  withPropertyNames,
} from '../capability.js';

/** [property, label, wire path under data.individual (or data.), help] in the order a designer fills them. */
const PERSON_FIELDS = [
  ['givenName', 'Given Name', 'individual.given_name'],
  ['familyName', 'Family Name', 'individual.family_name'],
  ['dateOfBirth', 'Date of Birth', 'individual.date_of_birth', 'YYYY-MM-DD'],
  ['nationalId', 'National ID', 'individual.national_id', 'SSN/ITIN, 9 digits or the last 4'],
  ['email', 'Email', 'individual.email'],
  ['phoneNumber', 'Phone Number', 'individual.phone_number', 'E.164, e.g. +13475550100'],
  ['addressLine1', 'Address Line 1', 'individual.address.line_1'],
  ['addressLine2', 'Address Line 2', 'individual.address.line_2'],
  ['locality', 'City', 'individual.address.locality'],
  ['majorAdminDivision', 'State', 'individual.address.major_admin_division', 'e.g. NY'],
  ['postalCode', 'Postal Code', 'individual.address.postal_code'],
  ['country', 'Country', 'individual.address.country', 'Two-letter ISO country, e.g. US'],
  ['diSessionToken', 'Digital Intelligence Session Token', 'individual.di_session_token'],
  ['docvLanguage', 'DocV Language', 'individual.docv.config.language', 'Capture App language, e.g. en, es'],
  [
    'docvRedirectUrl',
    'DocV Redirect URL',
    'individual.docv.config.redirect.url',
    'Where the phone goes when done',
  ],
  ['ipAddress', 'IP Address', 'ip_address'],
] as const satisfies ReadonlyArray<readonly [string, string, string, string?]>;
type PersonFieldName = (typeof PERSON_FIELDS)[number][0];

/** Wire field (as input errors name it) → property, so an error points at what a designer can fix. */
const PROPERTY_OF_WIRE: Record<string, string> = {
  workflow: 'workflow',
  id: 'evaluationId',
  'data.channel': 'channel',
  'data.custom': 'custom',
  ...Object.fromEntries(PERSON_FIELDS.map(([name, , wire]) => [`data.${wire}`, name])),
};

const scalar = z.union([z.string(), z.number()]).optional();

export const evaluateInput = z.object({
  workflow: stringThen(z.string().trim().min(1, 'name the RiskOS workflow, e.g. consumer_onboarding')),
  evaluationId: scalar,
  channel: z.enum(RISKOS_CHANNELS).or(z.literal('')).optional(),
  sendMessage: z.boolean().optional(),
  custom: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  ...(Object.fromEntries(PERSON_FIELDS.map(([name]) => [name, scalar])) as Record<
    PersonFieldName,
    typeof scalar
  >),
});

const stepUpOutput = z.object({
  docvTransactionToken: z.string(),
  url: z.string(),
  /** PNG data URL. */
  qrcode: z.string(),
});

export const evaluationOutput = z.object({
  evalId: z.string(),
  evalStatus: z.string().optional(),
  /** ACCEPT, REVIEW, REJECT (or APPROVE, DECLINE…: an open string); not final while paused. */
  decision: z.string().optional(),
  status: z.string().optional(),
  paused: z.boolean(),
  completed: z.boolean(),
  /** The DocV step-up of a paused evaluation. */
  stepUp: stepUpOutput.optional(),
  reasonCodes: z.array(z.string()),
  /** Enrichments that failed inside the answer (RiskOS still answers, often with REJECT). */
  failedEnrichments: z.array(
    z.object({
      name: z.string(),
      provider: z.string().optional(),
      statusCode: z.number().optional(),
      message: z.string().optional(),
    }),
  ),
  rawResponse: riskOsEvaluationSchema,
});
export type EvaluationOutput = z.output<typeof evaluationOutput>;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Maps the capability's properties to a RiskOS request; blank properties are left out. */
export function toRiskOsRequest(input: z.input<typeof evaluateInput>): RiskOsEvaluationRequest {
  const i = parseCapabilityInput(evaluateInput, input) as Record<string, unknown> &
    z.output<typeof evaluateInput>;
  const data: Record<string, unknown> = {};
  for (const [name, , wire] of PERSON_FIELDS) {
    const v = i[name];
    if (!blank(v)) setWirePath(data, wire, String(v).trim());
  }
  if (i.sendMessage !== undefined) setWirePath(data, 'individual.docv.config.send_message', i.sendMessage);
  if (i.channel) data.channel = i.channel;
  if (!blank(i.custom)) {
    let custom = i.custom;
    if (typeof custom === 'string') {
      try {
        custom = JSON.parse(custom);
      } catch {
        throw new SocureInputError('custom', 'must be a JSON object');
      }
    }
    if (!custom || typeof custom !== 'object' || Array.isArray(custom))
      throw new SocureInputError('custom', 'must be a JSON object');
    data.custom = custom;
  }
  return {
    workflow: i.workflow,
    ...(blank(i.evaluationId) ? {} : { id: String(i.evaluationId).trim() }),
    data,
  } as RiskOsEvaluationRequest;
}

/** The capability output of an evaluation (also what `getEvaluation` answers). */
export function toEvaluationOutput(r: RiskOsEvaluationResult): EvaluationOutput {
  return {
    evalId: r.evalId,
    ...(r.evalStatus ? { evalStatus: r.evalStatus } : {}),
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.evaluation.status ? { status: r.evaluation.status } : {}),
    paused: r.paused,
    completed: r.completed,
    ...(r.stepUp
      ? {
          stepUp: {
            docvTransactionToken: r.stepUp.docvTransactionToken,
            url: r.stepUp.url,
            qrcode: r.stepUp.qrCode,
          },
        }
      : {}),
    reasonCodes: r.reasonCodes,
    failedEnrichments: r.failedEnrichments,
    rawResponse: r.evaluation,
  };
}

const properties: CapabilityProperty[] = [
  {
    name: 'workflow',
    label: 'Workflow',
    controlType: 'textField',
    required: true,
    help: 'The RiskOS workflow to run, as named in the RiskOS console (e.g. consumer_onboarding).',
  },
  {
    name: 'evaluationId',
    label: 'Evaluation ID',
    controlType: 'textField',
    help: 'Your id of this evaluation; generated when blank. Sending an id again re-runs that evaluation.',
  },
  ...PERSON_FIELDS.map((field) => ({
    name: field[0],
    label: field[1],
    controlType: 'textField' as const,
    ...(field[3] ? { help: field[3] } : {}),
  })),
  {
    name: 'channel',
    label: 'Channel',
    controlType: 'dropDown',
    options: RISKOS_CHANNELS.map((c) => ({ value: c, label: c })),
  },
  {
    name: 'custom',
    label: 'Custom Data',
    controlType: 'codeEditor',
    help: 'A JSON object passed to the workflow',
  },
];

export const evaluate = defineCapability({
  id: 'evaluate',
  title: 'Run a RiskOS evaluation',
  description:
    'Run a Socure RiskOS workflow for a person: it answers with a decision (ACCEPT, REVIEW, REJECT…), or pauses for a DocV step-up whose link and QR code it returns.',
  properties,
  input: evaluateInput,
  output: evaluationOutput,
  async execute(input, { client }) {
    return withPropertyNames(PROPERTY_OF_WIRE, async () =>
      toEvaluationOutput(await client.riskos.evaluations.create(toRiskOsRequest(input))),
    );
  },
});

export const getEvaluationInput = z.object({
  evalId: stringThen(z.string().trim().min(1, 'the eval_id of the evaluation')),
});

export const getEvaluation = defineCapability({
  id: 'getEvaluation',
  title: 'Get a RiskOS evaluation',
  description:
    'Fetch a RiskOS evaluation as it stands now (GET), e.g. its final decision after a DocV step-up completed it.',
  properties: [{ name: 'evalId', label: 'Evaluation eval_id', controlType: 'textField', required: true }],
  input: getEvaluationInput,
  output: evaluationOutput,
  async execute(input, { client }) {
    const { evalId } = parseCapabilityInput(getEvaluationInput, input);
    return toEvaluationOutput(await client.riskos.evaluations.get(evalId));
  },
});
