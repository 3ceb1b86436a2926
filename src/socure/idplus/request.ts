import { z } from 'zod';
import { arrayThen } from '../../shared/length-checks.js';
import { SocureInputError } from '../errors.js';
import {
  countryField,
  customerUserIdField,
  dobField,
  emailField,
  ipAddressField,
  mobileNumberField,
  nationalIdField,
  normalized,
  stateField,
  text,
} from '../fields.js';
import { normalizeCountry, normalizeZip } from '../normalize.js';
import { checkModuleRules, ID_PLUS_MODULES } from './modules.js';

const dateLike = z
  .string()
  .trim()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected a date (YYYY-MM-DD) or an ISO-8601 timestamp');

const geocode = normalized((v) => {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) return undefined;
  const [lat, lng] = [Number(m[1]), Number(m[2])];
  return Math.abs(lat) <= 90 && Math.abs(lng) <= 180 ? `${lat},${lng}` : undefined;
}, 'expected "latitude,longitude"');

/**
 * Every input of ID+ (socure-api.md §2.1) and of the seed's "Get an ID+ Score", with Socure's wire names.
 * Fields Socure is strict about are normalised; anything else Socure accepts can go in `additionalFields`.
 */
export const idPlusRequestSchema = z.strictObject({
  modules: arrayThen(z.array(z.string().trim().toLowerCase()).min(1, 'select at least one module')),
  customerUserId: customerUserIdField().optional(),
  userId: text().optional(),
  firstName: text().optional(),
  middleName: text().optional(),
  surName: text().optional(),
  fullName: text().optional(),
  companyName: text().optional(),
  dob: dobField().optional(),
  nationalId: nationalIdField().optional(),
  email: emailField().optional(),
  mobileNumber: mobileNumberField().optional(),
  physicalAddress: text().optional(),
  physicalAddress2: text().optional(),
  city: text().optional(),
  state: stateField().optional(),
  zip: z.string().optional(),
  country: countryField().optional(),
  countryOfOrigin: normalized(normalizeCountry, 'expected a two-letter ISO country code').optional(),
  geocode: geocode.optional(),
  ipAddress: ipAddressField().optional(),
  userAgent: text(1024).optional(),
  deviceSessionId: text().optional(),
  deviceType: text().optional(),
  deviceInterface: text().optional(),
  operatingSystem: text().optional(),
  userConsent: z.boolean().optional(),
  consentTimestamp: dateLike.optional(),
  previousReferenceId: text(36).optional(),
  docvTransactionToken: text().optional(),
  documentUuid: text().optional(),
  returnSignals: z.boolean().optional(),
  orderAmount: z.coerce.number().nonnegative('must not be negative').optional(),
  accountCreationDate: dateLike.optional(),
  submissionDate: dateLike.optional(),
  prevOrderCount: z.coerce
    .number()
    .int('must be a whole number')
    .nonnegative('must not be negative')
    .optional(),
  lastOrderDate: dateLike.optional(),
  orderChannel: text().optional(),
  watchlistFilters: z.record(z.string(), z.unknown()).optional(),
  recipientCountry: normalized(normalizeCountry, 'expected a two-letter ISO country code').optional(),
  paymentType: text().optional(),
  disbursementType: text().optional(),
  payments: z.record(z.string(), z.unknown()).optional(),
  /** Extra fields sent as they are, for inputs newer than this library. */
  additionalFields: z.record(z.string(), z.unknown()).optional(),
});

/** What callers pass to `client.idplus.evaluate()`. */
export type IdPlusRequest = z.input<typeof idPlusRequestSchema>;
/** The JSON body sent to Socure. */
export type IdPlusWireRequest = Omit<z.output<typeof idPlusRequestSchema>, 'additionalFields'> &
  Record<string, unknown>;

export const KNOWN_MODULES = ID_PLUS_MODULES;

/** Turns the first zod issue into a SocureInputError naming the field. */
export function inputErrorFrom(error: z.ZodError, prefix = ''): SocureInputError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    // Name the unknown key itself, so a typo such as lastName points at the right flag or property.
    path.push(issue.keys[0]!);
    return new SocureInputError(`${prefix}${path.join('.')}`, `unknown field(s) ${issue.keys.join(', ')}`);
  }
  const field = `${prefix}${path.join('.')}` || prefix.replace(/\.$/, '') || 'request';
  return new SocureInputError(field, issue.message);
}

/**
 * The schema as `z.compile` builds it (on first use): Zod's own generated parser for exactly this schema,
 * same checks and same output, about 3× faster per call. An input it rejects goes back to Zod's runtime
 * parser, so failures carry the usual issues.
 */
let compiledRequestSchema: typeof idPlusRequestSchema | undefined;
const requestParser = () => (compiledRequestSchema ??= z.compile(idPlusRequestSchema));

/**
 * Validates and normalises a request, then checks the module rules.
 * Throws SocureInputError / SocureModuleRuleError; never touches the network.
 */
export function buildIdPlusRequest(input: IdPlusRequest): IdPlusWireRequest {
  const parsed = requestParser().safeParse(input);
  if (!parsed.success) throw inputErrorFrom(parsed.error);
  const data = parsed.data;
  const { additionalFields, zip } = data;
  // additionalFields first, then every parsed field but those two, in order (what `{ ...additionalFields,
  // ...rest }` gives, without the object-rest copy of the parsed data).
  const wire = { ...additionalFields } as IdPlusWireRequest;
  for (const key of Object.keys(data)) {
    if (key !== 'additionalFields' && key !== 'zip') wire[key] = data[key as keyof typeof data];
  }
  if (zip !== undefined) {
    const z5 = normalizeZip(zip, data.country);
    if (z5 === undefined) throw new SocureInputError('zip', 'expected 5 digits or ZIP+4');
    wire.zip = z5;
  }
  wire.modules = [...new Set(data.modules)];
  checkModuleRules(wire.modules, wire);
  return wire;
}
