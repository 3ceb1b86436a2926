import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CUSTOM_METHODS, type CustomMethod } from '../../socure/custom-request.js';
import { type ConnectorFlagValues, withConnectorFlags } from '../connector-flags.js';
import { UsageError, withFlagNames } from '../errors.js';

const CALL_FLAGS: Record<string, string> = { endpoint: '--endpoint', headers: '--header', query: '--query' };

const collect = (value: string, previous: string[]) => [...previous, value];

function keyValues(list: string[], flag: string): Array<{ key: string; value: string }> {
  return list.map((item) => {
    const i = item.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag}: expected key=value (got ${JSON.stringify(item)})`);
    return { key: item.slice(0, i), value: item.slice(i + 1) };
  });
}

function readBody(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  let text = spec;
  if (spec.startsWith('@')) {
    try {
      text = readFileSync(spec.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--body: cannot read ${spec.slice(1)} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  try {
    JSON.parse(text);
  } catch {
    throw new UsageError('--body: is not valid JSON');
  }
  return text;
}

export function callCommand(): Command {
  const cmd = new Command('call')
    .description('Make a custom call to the Socure REST API (paths on the configured API URL only)')
    .requiredOption('--endpoint <path>', 'e.g. /api/3.0/EmailAuthScore')
    .option('--method <method>', CUSTOM_METHODS.join(' | '), 'GET')
    .option('--query <key=value>', 'query parameter (repeatable)', collect, [])
    .option('--header <key=value>', 'additional header (repeatable)', collect, [])
    .option('--body <json|@file>', 'JSON body, inline or @file.json');
  withConnectorFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ socure-connector call --api-url http://127.0.0.1:4010 --id-plus-key … --method POST \\
      --endpoint /api/3.0/EmailAuthScore --body @request.json
  $ socure-connector call --endpoint /api/3.0/reasoncodes --query group=true

Prints {"statusCode", "headers", "rawResponse"}. Exit 0 when Socure answered (any status), 2 on bad input, 1 when unreachable.`,
  );
  cmd.action(async (opts: ConnectorFlagValues & Record<string, unknown>) => {
    const method = String(opts.method).toUpperCase();
    if (!(CUSTOM_METHODS as readonly string[]).includes(method)) {
      throw new UsageError(`--method: must be one of ${CUSTOM_METHODS.join(', ')}`);
    }
    const body = readBody(opts.body as string | undefined);
    const query = keyValues(opts.query as string[], '--query');
    const headers = keyValues(opts.header as string[], '--header');
    const { clientFromFlags } = await import('../connector-client.js');
    const client = clientFromFlags(opts);
    try {
      const res = await withFlagNames(CALL_FLAGS, () =>
        client.request({
          method: method as CustomMethod,
          path: String(opts.endpoint),
          query,
          headers,
          body,
        }),
      );
      process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    } finally {
      await client.close();
    }
  });
  return cmd;
}
