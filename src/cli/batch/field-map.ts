import { idPlusRequestSchema } from '../../socure/idplus/request.js';
import { UsageError } from '../errors.js';

/** The ID+ inputs a column can feed (every request field but the ones the command sets itself). */
export const ID_PLUS_FIELDS: readonly string[] = Object.keys(idPlusRequestSchema.shape).filter(
  (f) => f !== 'modules' && f !== 'additionalFields',
);

/** `First Name`, `first_name`, `FIRSTNAME` → `firstname`: how headers are compared. */
const squash = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Header spellings that obviously mean an ID+ input (compared squashed); a field's own name always works too. */
const ALIASES: Record<string, string> = {
  first: 'firstName',
  givenname: 'firstName',
  forename: 'firstName',
  last: 'surName',
  lastname: 'surName',
  familyname: 'surName',
  middle: 'middleName',
  name: 'fullName',
  dateofbirth: 'dob',
  birthdate: 'dob',
  birthday: 'dob',
  ssn: 'nationalId',
  socialsecuritynumber: 'nationalId',
  itin: 'nationalId',
  taxid: 'nationalId',
  emailaddress: 'email',
  mail: 'email',
  phone: 'mobileNumber',
  phonenumber: 'mobileNumber',
  mobile: 'mobileNumber',
  cell: 'mobileNumber',
  cellphone: 'mobileNumber',
  address: 'physicalAddress',
  address1: 'physicalAddress',
  addressline1: 'physicalAddress',
  street: 'physicalAddress',
  streetaddress: 'physicalAddress',
  address2: 'physicalAddress2',
  addressline2: 'physicalAddress2',
  town: 'city',
  province: 'state',
  region: 'state',
  zipcode: 'zip',
  postalcode: 'zip',
  postcode: 'zip',
  countrycode: 'country',
  customerid: 'customerUserId',
  ip: 'ipAddress',
};
const BY_SQUASHED = new Map<string, string>([
  ...ID_PLUS_FIELDS.map((f) => [squash(f), f] as [string, string]),
  ...Object.entries(ALIASES),
]);

/** `--map column=field` pairs; `column=-` ignores a column that would otherwise be mapped. */
export function parseMapFlags(pairs: readonly string[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const pair of pairs) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--map ${pair}: expected column=field`);
    const column = pair.slice(0, eq);
    const field = pair.slice(eq + 1).trim();
    if (field === '-') out.set(column, null);
    else if (ID_PLUS_FIELDS.includes(field)) out.set(column, field);
    else throw new UsageError(`--map ${pair}: "${field}" is not an ID+ input (e.g. firstName, surName, dob)`);
  }
  return out;
}

/** Which ID+ field a column (a CSV header, a JSONL key) feeds: `--map` first, then the obvious names. */
export class ColumnResolver {
  private readonly cache = new Map<string, string | null>();
  /** Columns seen that feed no field (not sent). */
  readonly ignored = new Set<string>();

  constructor(private readonly explicit: Map<string, string | null>) {}

  fieldFor(column: string): string | null {
    let field = this.cache.get(column);
    if (field === undefined) {
      field =
        (this.explicit.has(column) ? this.explicit.get(column) : BY_SQUASHED.get(squash(column))) ?? null;
      if (this.cache.size < 1_000) this.cache.set(column, field);
      if (field === null && this.ignored.size < 100) this.ignored.add(column);
    }
    return field;
  }

  /** The first pair of columns that feed one field, if any. */
  conflict(columns: Iterable<string>): { field: string; columns: [string, string] } | undefined {
    const taken = new Map<string, string>();
    for (const column of columns) {
      const field = this.fieldFor(column);
      if (field === null) continue;
      const other = taken.get(field);
      if (other !== undefined) return { field, columns: [other, column] };
      taken.set(field, column);
    }
    return undefined;
  }

  /** A CSV header: two columns for one field, or a `--map` naming a column the file lacks, is a usage error. */
  checkHeader(columns: readonly string[]): void {
    const clash = this.conflict(columns);
    if (clash) {
      const [a, b] = clash.columns;
      throw new UsageError(
        `columns "${a}" and "${b}" both map to ${clash.field}: add --map "${b}=-" (or another field)`,
      );
    }
    for (const column of this.explicit.keys()) {
      if (!columns.includes(column))
        throw new UsageError(`--map ${column}=…: the input has no column "${column}"`);
    }
  }
}

const BOOLEAN_FIELDS = new Set(['userConsent', 'returnSignals']);
const JSON_FIELDS = new Set(['watchlistFilters', 'payments']);

/**
 * One record as an ID+ request input. Empty cells are left out; CSV text for a boolean or JSON field is read
 * as one (`true`, `{"…"}`); anything else goes to the client's own validation as it is.
 */
export function toIdPlusInput(
  record: Record<string, unknown>,
  resolver: ColumnResolver,
  modules: readonly string[],
): Record<string, unknown> {
  const input: Record<string, unknown> = { modules: [...modules] };
  for (const column of Object.keys(record)) {
    const field = resolver.fieldFor(column);
    if (field === null) continue;
    let value = record[column];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') {
      if (BOOLEAN_FIELDS.has(field)) value = /^(true|yes|1)$/i.test(value.trim());
      else if (JSON_FIELDS.has(field)) {
        try {
          value = JSON.parse(value);
        } catch {
          // left as text: the validation reports the field
        }
      }
    } else if (typeof value === 'number' && !BOOLEAN_FIELDS.has(field)) value = String(value);
    input[field] = value;
  }
  return input;
}
