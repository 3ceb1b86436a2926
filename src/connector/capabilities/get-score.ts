import { z } from 'zod';
import {
  ID_PLUS_MODULES,
  type IdPlusRequest,
  idPlusResponseSchema,
  MODULE_LABELS,
  SocureInputError,
} from '../../socure/index.js';
import {
  type CapabilityProperty,
  defineCapability,
  parseCapabilityInput,
  requireIdPlus,
  withPropertyNames,
} from '../capability.js';

/** [property name, label, ID+ wire field, help] in the seed's order. */
const TEXT_FIELDS = [
  ['firstName', 'First Name', 'firstName'],
  ['surName', 'Sur Name', 'surName'],
  ['email', 'Email', 'email'],
  ['country', 'Country', 'country', 'Two-letter ISO country, e.g. US'],
  ['physicalAddress', 'Physical Address', 'physicalAddress'],
  ['physicalAddress2', 'Physical Address 2', 'physicalAddress2'],
  ['city', 'City', 'city'],
  ['state', 'State', 'state', 'Two-letter state code, e.g. NY'],
  ['zip', 'Zip', 'zip'],
  ['mobileNumber', 'Mobile Number', 'mobileNumber', 'E.164, e.g. +13475550100'],
  ['geocode', 'Geocodes (lat long)', 'geocode', 'e.g. 40.7128,-74.0060'],
  ['nationalId', 'National ID', 'nationalId', 'SSN/ITIN, 9 digits or the last 4'],
  ['dob', 'Date of Birth', 'dob', 'YYYY-MM-DD'],
  ['companyName', 'Company Name', 'companyName'],
  ['documentUuid', 'Document UUID', 'documentUuid', 'Legacy DocV document UUID'],
  ['docvTransactionToken', 'DocV Transaction Token', 'docvTransactionToken', 'From a DocV v5 transaction'],
  ['orderAmount', 'Order Amount', 'orderAmount'],
  ['accountCreationDate', 'Account Creation Date', 'accountCreationDate'],
  ['submissionDate', 'Submission Date', 'submissionDate'],
  ['previousOrderCount', 'Previous Order Count', 'prevOrderCount'],
  ['lastOrderDate', 'Last Order Date', 'lastOrderDate'],
  ['orderChannel', 'Order Channel', 'orderChannel'],
  [
    'customerUserId',
    'Customer User ID',
    'customerUserId',
    'The unique identifier for the user, such as "123".',
  ],
  ['watchlistFilters', 'Watchlist Filters', 'watchlistFilters', 'A JSON object'],
  ['recipientCountry', 'Recipient Country', 'recipientCountry'],
  ['paymentType', 'Payment Type', 'paymentType'],
  ['disbursementType', 'Disbursement Type', 'disbursementType'],
  // The seed's label, word for word.
  ['operatingSystem', 'Operation System', 'operatingSystem'],
  ['deviceType', 'Device Type', 'deviceType'],
  ['deviceSessionId', 'Device Session ID', 'deviceSessionId'],
  ['deviceInterface', 'Device Interface', 'deviceInterface'],
  ['ip', 'IP Address', 'ipAddress'],
  ['userAgent', 'User Agent', 'userAgent'],
] as const satisfies ReadonlyArray<readonly [string, string, string, string?]>;
type TextFieldName = (typeof TEXT_FIELDS)[number][0];

/** Wire field → property name, where they differ (for error messages). */
const PROPERTY_OF_WIRE: Record<string, string> = Object.fromEntries(
  TEXT_FIELDS.filter(([name, , wire]) => name !== wire).map(([name, , wire]) => [wire, name]),
);

const properties: CapabilityProperty[] = [
  {
    name: 'modules',
    label: 'Modules',
    controlType: 'dropDownMultiSelect',
    required: true,
    help: 'Only modules your Socure account is licensed for; one Global Watchlist tier; Decision needs another module; Device Risk needs a Device Session ID.',
    options: ID_PLUS_MODULES.map((m) => ({ value: m, label: MODULE_LABELS[m] })),
  },
  ...TEXT_FIELDS.map((field) => ({
    name: field[0],
    label: field[1],
    controlType: 'textField' as const,
    ...(field[3] ? { help: field[3] } : {}),
  })),
];

const scalar = z.union([z.string(), z.number()]).optional();

export const getScoreInput = z.object({
  modules: z.array(z.enum(ID_PLUS_MODULES)).min(1, 'select at least one module'),
  ...(Object.fromEntries(TEXT_FIELDS.map(([name]) => [name, scalar])) as Record<
    TextFieldName,
    typeof scalar
  >),
});

export const getScoreOutput = z.object({ rawResponse: idPlusResponseSchema });

/** Maps the capability's text properties to an ID+ request; blank properties are left out. */
export function toIdPlusRequest(input: z.input<typeof getScoreInput>): IdPlusRequest {
  const parsed = parseCapabilityInput(getScoreInput, input);
  const values = parsed as Record<string, unknown>;
  const request: Record<string, unknown> = { modules: parsed.modules };
  for (const [name, , wire] of TEXT_FIELDS) {
    const v = values[name];
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
    if (name === 'watchlistFilters' && typeof v === 'string') {
      try {
        request[wire] = JSON.parse(v);
      } catch {
        throw new SocureInputError('watchlistFilters', 'must be a JSON object');
      }
      continue;
    }
    request[wire] = v;
  }
  return request as IdPlusRequest;
}

export const getScore = defineCapability({
  id: 'getScore',
  title: 'Get an ID+ Score',
  description:
    'Get a Socure ID+ score for a user based on the ID+ modules that you select. Each score is a number between 0 and 1, with a higher value indicating higher probability of fraud.',
  properties,
  input: getScoreInput,
  output: getScoreOutput,
  async execute(input, { client }) {
    requireIdPlus(client);
    return withPropertyNames(PROPERTY_OF_WIRE, async () => ({
      rawResponse: await client.idplus.evaluate(toIdPlusRequest(input)),
    }));
  },
});
