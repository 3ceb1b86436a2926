import { Command } from 'commander';
import { type IdPlusRequest, idPlusRequestSchema } from '../../socure/idplus/request.js';
import { STOCK_PERSONA } from '../../socure/stock-persona.js';
import { type ConnectorFlagValues, withConnectorFlags } from '../connector-flags.js';
import { UsageError } from '../errors.js';

const kebab = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const BOOLEAN_FIELDS = new Set(['userConsent', 'returnSignals']);
const JSON_FIELDS = new Set(['watchlistFilters', 'payments']);
const HINTS: Record<string, string> = {
  dob: 'date of birth, YYYY-MM-DD',
  nationalId: 'SSN/ITIN, 9 digits or last 4 (hyphens allowed)',
  mobileNumber: 'E.164, e.g. +13475550100',
  country: 'ISO 3166-1 alpha-2, e.g. US',
  state: 'e.g. NY',
  zip: '5 digits or ZIP+4',
  geocode: '"latitude,longitude"',
  ipAddress: 'IPv4 or IPv6',
  docvTransactionToken: 'token of a DocV v5 transaction (with --modules documentverification)',
  documentUuid: 'legacy DocV document UUID',
};

/** Every ID+ request field gets a flag named after it, so the CLI never falls behind the schema. */
const FIELDS = Object.keys(idPlusRequestSchema.shape).filter(
  (f) => f !== 'modules' && f !== 'additionalFields',
);

export function scoreCommand(): Command {
  const cmd = new Command('score')
    .description('Get an ID+ score: prints the decision, each module’s score and the reason codes explained')
    .option('--modules <list>', 'comma-separated ID+ modules', 'kyc,fraud,decision')
    .option('--stock-persona', 'start from Socure’s stock persona (Dwayne Denver); other flags override it')
    .option('--json', 'print Socure’s raw JSON answer');
  for (const field of FIELDS) {
    const flag = `--${kebab(field)}`;
    if (BOOLEAN_FIELDS.has(field)) cmd.option(flag, `send ${field}: true`);
    else
      cmd.option(
        `${flag} <value>`,
        JSON_FIELDS.has(field) ? `${field} (a JSON object)` : (HINTS[field] ?? field),
      );
  }
  withConnectorFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ socure-connector sandbox &
  $ socure-connector score --api-url http://127.0.0.1:4010 --id-plus-key a1b234cd-75e1-9e01-f234-56abcdef6789 --stock-persona
  $ socure-connector score --api-url http://127.0.0.1:4010 --stock-persona --sur-name Reject --json
  $ SOCURE_ID_PLUS_KEY=… SOCURE_ENVIRONMENT=sandbox socure-connector score --first-name Jane --sur-name Doe \\
      --dob 1990-01-31 --national-id 123-45-6789 --country US --modules kyc,fraud,decision

Exit codes: 0 scored, 2 bad input (the message names the flag), 1 Socure or network error.`,
  );
  cmd.action(async (opts: Record<string, unknown>) => {
    const request = buildRequest(opts);
    const [{ clientFromFlags }, { formatScoreSummary }] = await Promise.all([
      import('../connector-client.js'),
      import('../format-score.js'),
    ]);
    const client = clientFromFlags(opts as ConnectorFlagValues);
    try {
      const res = await client.idplus.evaluate(request);
      process.stdout.write(`${opts.json ? JSON.stringify(res, null, 2) : formatScoreSummary(res)}\n`);
    } finally {
      await client.close();
    }
  });
  return cmd;
}

function buildRequest(opts: Record<string, unknown>): IdPlusRequest {
  const request: Record<string, unknown> = opts.stockPersona ? { ...STOCK_PERSONA } : {};
  request.modules = String(opts.modules)
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const field of FIELDS) {
    const value = opts[camel(kebab(field))];
    if (value === undefined) continue;
    if (JSON_FIELDS.has(field)) {
      try {
        request[field] = JSON.parse(String(value));
      } catch {
        throw new UsageError(`--${kebab(field)}: must be a JSON object`);
      }
    } else request[field] = value;
  }
  return request as IdPlusRequest;
}
