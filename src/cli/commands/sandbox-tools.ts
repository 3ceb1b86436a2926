import { Command, Option } from 'commander';
import { TRIGGER_SCENARIOS } from '../../sandbox/docv/trigger.js';
import { parseDuration } from '../../sandbox/faults.js';
import { UsageError } from '../errors.js';

const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010';

/** `--admin-token`: needed only when the sandbox runs on another machine (its admin is loopback-only). */
const adminTokenOption = () =>
  new Option(
    '--admin-token <token>',
    "the sandbox's admin token, sent as Authorization: Bearer (only for a sandbox on another machine)",
  ).env('SANDBOX_ADMIN_TOKEN');

/**
 * The token from `--admin-token` or SANDBOX_ADMIN_TOKEN. Under `sandbox`, the parent command (which has the
 * same option) takes the flag even when it is written after the subcommand, so its options count too.
 */
const adminTokenOf = (command: Command): string | undefined =>
  (command.optsWithGlobals() as { adminToken?: string }).adminToken;

/** POSTs to a sandbox helper endpoint; a refused answer becomes an error with the sandbox's message. */
async function post(base: string, path: string, body: unknown, adminToken?: string): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    throw new UsageError(`--api-url: not a valid URL (got ${JSON.stringify(base)})`);
  }
  // fetch, not undici's request: nothing to import (a dynamic import of undici, CommonJS, gives only `default`
  // once the CLI is bundled with code splitting).
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(adminToken ? { authorization: `Bearer ${adminToken.trim()}` } : {}),
    },
    body: JSON.stringify(body),
  }).catch((err: Error & { cause?: { code?: string } }) => {
    throw new Error(
      `could not reach the sandbox at ${url.origin} (${err.cause?.code ?? err.message}); is it running?`,
    );
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as { msg?: string; error?: string }) : {};
  if (res.status >= 400) throw new Error(`sandbox answered ${res.status}: ${json.msg ?? json.error ?? text}`);
  return json;
}

export function triggerCommand(): Command {
  const names = TRIGGER_SCENARIOS.map((s) => s.name);
  return new Command('trigger')
    .description(
      'Drive a DocV transaction through a whole scenario without a browser (like `stripe trigger`)',
    )
    .argument('<scenario>', names.join(' | '))
    .requiredOption(
      '--token <docvTransactionToken>',
      'the transaction to drive: a DocV token, or a RiskOS eval_id (its DocV step-up)',
    )
    .option('--api-url <url>', 'the sandbox base URL', DEFAULT_SANDBOX_URL)
    .addOption(adminTokenOption())
    .addHelpText(
      'after',
      `\nScenarios:\n${TRIGGER_SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.description}`).join('\n')}\n\nExample:\n  $ socure-connector sandbox trigger complete-accept --token 3f0c…`,
    )
    .action(async (scenario: string, opts: { token: string; apiUrl: string }, command: Command) => {
      if (!names.includes(scenario as (typeof names)[number])) {
        throw new UsageError(`<scenario>: must be one of ${names.join(', ')}`);
      }
      const token = encodeURIComponent(opts.token);
      const res = (await post(
        opts.apiUrl,
        `/sandbox/transactions/${token}/trigger`,
        { scenario },
        adminTokenOf(command),
      )) as {
        transaction?: { status?: string; outcome?: string; events?: Array<{ eventType: string }> };
      };
      const tx = res.transaction;
      process.stdout.write(
        `${scenario}: transaction ${tx?.status ?? 'updated'}${tx?.outcome ? ` (${tx.outcome})` : ''}\n` +
          `events: ${(tx?.events ?? []).map((e) => e.eventType).join(' → ')}\n`,
      );
    });
}

export function clockCommand(): Command {
  return new Command('clock')
    .description('Move the sandbox clock forward, e.g. to expire DocV transactions without waiting')
    .requiredOption('--advance <duration>', 'e.g. 20m, 90s, 1500ms')
    .option('--api-url <url>', 'the sandbox base URL', DEFAULT_SANDBOX_URL)
    .addOption(adminTokenOption())
    .addHelpText(
      'after',
      '\nExample:\n  $ socure-connector sandbox clock --advance 20m   # past the 15-minute transaction TTL',
    )
    .action(async (opts: { advance: string; apiUrl: string }, command: Command) => {
      const ms = parseClockDuration(opts.advance);
      const res = await post(opts.apiUrl, '/sandbox/clock/advance', { ms }, adminTokenOf(command));
      process.stdout.write(`${JSON.stringify(res)}\n`);
    });
}

/** Durations with minutes and hours too (the sandbox's own parser takes ms and s). */
export function parseClockDuration(spec: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|h)\s*$/i.exec(spec);
  if (m) return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'h' ? 3_600_000 : 60_000));
  try {
    return parseDuration(spec);
  } catch (err) {
    throw new UsageError(`--advance: ${(err as Error).message.replace('50ms, 2s', '20m, 90s')}`);
  }
}
