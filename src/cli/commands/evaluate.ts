import { Command } from 'commander';
import { RISKOS_CHANNELS, type RiskOsEvaluationRequest } from '../../socure/riskos/request.js';
import { setWirePath } from '../../socure/riskos/wire-path.js';
import { withConnectorFlags } from '../connector-flags.js';
import { UsageError, withFlagNames } from '../errors.js';

/** [flag, wire path under `data`, hint]: one flag per field of `data.individual`, named after it. */
const FIELDS = [
  ['--given-name', 'individual.given_name', 'first name'],
  ['--middle-name', 'individual.middle_name', 'middle name'],
  ['--family-name', 'individual.family_name', 'last name'],
  ['--date-of-birth', 'individual.date_of_birth', 'YYYY-MM-DD'],
  ['--national-id', 'individual.national_id', 'SSN/ITIN, 9 digits or last 4 (hyphens allowed)'],
  ['--email', 'individual.email', 'e-mail address'],
  ['--phone-number', 'individual.phone_number', 'E.164, e.g. +13475550100'],
  ['--address-line-1', 'individual.address.line_1', 'street address'],
  ['--address-line-2', 'individual.address.line_2', 'apartment, suite…'],
  ['--locality', 'individual.address.locality', 'city'],
  ['--major-admin-division', 'individual.address.major_admin_division', 'state, e.g. NY'],
  ['--postal-code', 'individual.address.postal_code', '5 digits or ZIP+4 in the US'],
  ['--country', 'individual.address.country', 'ISO 3166-1 alpha-2, e.g. US'],
  ['--di-session-token', 'individual.di_session_token', 'Digital Intelligence session token'],
  ['--docv-language', 'individual.docv.config.language', 'Capture App language of a step-up, e.g. es'],
  ['--ip-address', 'ip_address', 'IPv4 or IPv6'],
] as const;

const camel = (flag: string) => flag.slice(2).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Wire field (as input errors name it) → the flag typed. */
const FLAG_OF: Record<string, string> = {
  workflow: '--workflow',
  id: '--id',
  timestamp: '--id',
  'data.channel': '--channel',
  'data.custom': '--custom',
  'data.individual.docv.config.send_message': '--send-message',
  ...Object.fromEntries(FIELDS.map(([flag, wire]) => [`data.${wire}`, flag])),
};

function buildRequest(opts: Record<string, unknown>): RiskOsEvaluationRequest {
  const data: Record<string, unknown> = {};
  for (const [flag, wire] of FIELDS) {
    const value = opts[camel(flag)];
    if (value !== undefined) setWirePath(data, wire, value);
  }
  if (opts.sendMessage) setWirePath(data, 'individual.docv.config.send_message', true);
  if (opts.channel !== undefined) data.channel = opts.channel;
  if (opts.custom !== undefined) {
    try {
      data.custom = JSON.parse(String(opts.custom));
    } catch {
      throw new UsageError('--custom: must be a JSON object');
    }
  }
  return {
    workflow: String(opts.workflow),
    ...(opts.id === undefined ? {} : { id: String(opts.id) }),
    data,
  } as RiskOsEvaluationRequest;
}

export function evaluateCommand(): Command {
  const cmd = new Command('evaluate')
    .description(
      'Run a RiskOS evaluation: prints the decision, a DocV step-up’s link and QR code, failed enrichments and the reason codes explained',
    )
    .requiredOption('--workflow <name>', 'the RiskOS workflow, e.g. consumer_onboarding')
    .option('--id <id>', 'your id of the evaluation (generated when absent; an id sent again re-runs it)')
    .option('--channel <channel>', RISKOS_CHANNELS.join(' | '))
    .option('--send-message', 'a DocV step-up texts its link to --phone-number')
    .option('--custom <json>', 'data.custom, a JSON object')
    .option('--json', 'print RiskOS’s raw JSON answer');
  for (const [flag, , hint] of FIELDS) cmd.option(`${flag} <value>`, hint);
  withConnectorFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ socure-connector sandbox &
  $ socure-connector evaluate --riskos-url http://127.0.0.1:4010 --riskos-key b7e3c1a0-5f2d-4e8a-9c6b-0d1e2f3a4b5c \\
      --workflow consumer_onboarding --given-name Jax --family-name Myra --national-id 666990266 \\
      --date-of-birth 1990-04-04 --email jax@example.com --country US
  $ SOCURE_RISKOS_KEY=… socure-connector evaluate --workflow consumer_onboarding --given-name Jane … --json

Exit codes: 0 evaluated (whatever the decision, a paused step-up included), 2 bad input (the message names the
flag), 1 RiskOS or network error.`,
  );
  cmd.action(async (opts: Record<string, unknown>) => {
    const [{ riskOsClientFromFlags }, { formatEvaluation }] = await Promise.all([
      import('../riskos-client.js'),
      import('../format-evaluation.js'),
    ]);
    await withFlagNames(FLAG_OF, async () => {
      const request = buildRequest(opts);
      const client = riskOsClientFromFlags(opts);
      try {
        const result = await client.evaluations.create(request);
        const out = opts.json ? JSON.stringify(result.evaluation, null, 2) : await formatEvaluation(result);
        process.stdout.write(`${out}\n`);
      } finally {
        await client.close();
      }
    });
  });
  return cmd;
}
