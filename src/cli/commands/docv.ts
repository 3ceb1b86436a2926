import { Command } from 'commander';
import type { SocureClient } from '../../socure/client.js';
import { type ConnectorFlagValues, withConnectorFlags } from '../connector-flags.js';
import { UsageError, withFlagNames } from '../errors.js';

/** DocV request fields → the flags of docv-url. */
const DOCV_FLAGS: Record<string, string> = {
  'config.redirect.url': '--redirect-url',
  'redirect.url': '--redirect-url',
  'config.language': '--language',
  language: '--language',
  'config.documentType': '--document-type',
  documentType: '--document-type',
  'config.sendMessage': '--send-sms',
  sendMessage: '--send-sms',
};

async function withClient<T>(
  opts: ConnectorFlagValues,
  fn: (client: SocureClient) => Promise<T>,
): Promise<T> {
  const { clientFromFlags } = await import('../connector-client.js');
  const client = clientFromFlags(opts);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

interface DocvUrlFlags extends ConnectorFlagValues {
  verificationLevel?: string;
  customerUserId?: string;
  mobileNumber?: string;
  sendSms?: boolean;
  documentType?: string;
  language?: string;
  redirectUrl?: string;
  json?: boolean;
}

export function docvUrlCommand(): Command {
  const cmd = new Command('docv-url')
    .description(
      'Start a document verification: prints the capture URL, the transaction token and the QR code',
    )
    .option('--verification-level <1|2|3>', 'use the legacy v3 API with this level (default: v5)')
    .option('--customer-user-id <id>', 'your id for the person')
    .option('--mobile-number <e164>', 'the phone to text the link to (with --send-sms); required by level 3')
    .option('--send-sms', 'ask Socure to text the link to --mobile-number')
    .option('--document-type <license|passport>', 'skip the document-type screen')
    .option('--language <code>', 'e.g. en-us, es')
    .option('--redirect-url <url>', 'where the phone goes when done')
    .option('--json', 'print the answer as JSON');
  withConnectorFlags(cmd).addHelpText(
    'after',
    `
Examples:
  $ socure-connector docv-url --api-url http://127.0.0.1:4010 --id-plus-key a1b234cd-75e1-9e01-f234-56abcdef6789
  $ socure-connector docv-url --send-sms --mobile-number +13475550100 --customer-user-id 123
  $ socure-connector docv-url --verification-level 2 --json`,
  );
  return cmd.action(async (opts: DocvUrlFlags) => {
    const level = opts.verificationLevel;
    if (level !== undefined && !['1', '2', '3'].includes(level)) {
      throw new UsageError('--verification-level: must be 1, 2 or 3');
    }
    if (opts.documentType !== undefined && !['license', 'passport'].includes(opts.documentType)) {
      throw new UsageError('--document-type: must be license or passport');
    }
    const documentType = opts.documentType as 'license' | 'passport' | undefined;
    const redirect = opts.redirectUrl ? { method: 'GET' as const, url: opts.redirectUrl } : undefined;
    const person = { customerUserId: opts.customerUserId, mobileNumber: opts.mobileNumber };
    const tx = await withFlagNames(DOCV_FLAGS, () =>
      withClient(opts, (client) =>
        level
          ? client.docv.createLegacyTransaction({
              verificationLevel: Number(level) as 1 | 2 | 3,
              documentType,
              language: opts.language,
              sendMessage: opts.sendSms,
              redirect,
              ...person,
            })
          : client.docv.createTransaction({
              config: { documentType, language: opts.language, sendMessage: opts.sendSms, redirect },
              ...person,
            }),
      ),
    );
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(tx, null, 2)}\n`);
      return;
    }
    const { qrCodeForTerminal } = await import('../../socure/docv/qr.js');
    process.stdout.write(
      `${[
        `URL:          ${tx.url}`,
        `Token:        ${tx.docvTransactionToken ?? '(none: legacy v3 answer)'}`,
        `Reference ID: ${tx.referenceId}`,
        '',
        await qrCodeForTerminal(tx.url),
        'Open the URL on a phone (or scan the QR code), then: socure-connector docv-result --token <token>',
      ].join('\n')}\n`,
    );
  });
}

export function docvResultCommand(): Command {
  const cmd = new Command('docv-result')
    .description('Fetch the document verification result (ID+ documentverification module)')
    .requiredOption('--token <docvTransactionToken>', 'the transaction token (legacy: --document-uuid)')
    .option('--json', 'print Socure’s answer as JSON');
  withConnectorFlags(cmd).addHelpText(
    'after',
    '\nExample:\n  $ socure-connector docv-result --token 3f0c… --json',
  );
  return cmd.action(async (opts: ConnectorFlagValues & { token: string; json?: boolean }) => {
    const res = await withClient(opts, (client) => client.docv.result(opts.token));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      return;
    }
    const dv = res.documentVerification;
    const data = dv?.documentData;
    process.stdout.write(
      `${[
        `Decision:      ${dv?.decision?.value ?? '(not decided yet: the capture is not finished)'}`,
        `Reference ID:  ${res.referenceId}`,
        `Document:      ${dv?.documentType?.type ?? '—'}${dv?.documentType?.state ? ` (${dv.documentType.state})` : ''}`,
        `Reason codes:  ${(dv?.reasonCodes ?? []).join(', ') || '—'}`,
        data ? `Expires:       ${data.expirationDate ?? '—'}` : '',
      ]
        .filter(Boolean)
        .join('\n')}\n`,
    );
  });
}
