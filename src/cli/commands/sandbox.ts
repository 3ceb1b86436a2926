import { Command, Option } from 'commander';
import { parseDuration, parseFaultSpec } from '../../sandbox/faults.js';
import { MAGIC_INPUTS } from '../../sandbox/idplus/magic.js';
import type { RunningSandbox, SandboxKeyOverrides, SandboxOptions } from '../../sandbox/index.js';
import { UsageError } from '../errors.js';
import { onShutdown } from '../shutdown.js';
import { clockCommand, triggerCommand } from './sandbox-tools.js';

const ENVIRONMENTS = ['sandbox', 'certification', 'production'] as const;
const collect = (value: string, previous: string[]) => [...previous, value];

/** `--key production.idplus=<key>` → { production: { idPlusKey } }. */
export function parseKeyOverrides(items: string[]): SandboxKeyOverrides {
  const out: SandboxKeyOverrides = {};
  for (const item of items) {
    const m = /^(sandbox|certification|production)\.(idplus|sdk)=(.+)$/.exec(item);
    if (!m) throw new UsageError(`--key: expected <environment>.<idplus|sdk>=<key>, e.g. sandbox.idplus=…`);
    const env = m[1] as (typeof ENVIRONMENTS)[number];
    out[env] = { ...out[env], [m[2] === 'idplus' ? 'idPlusKey' : 'sdkKey']: m[3] };
  }
  return out;
}

export function parsePort(value: string, flag = '--port'): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`${flag}: must be a port number from 0 to 65535`);
  return port;
}

export interface SandboxFlags {
  port: string;
  host: string;
  faults?: string;
  latency?: string;
  seed?: string;
  key: string[];
  quiet?: boolean;
  publicUrl?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  adminToken?: string;
}

/**
 * `adminTokenSetting` names where the admin token came from in an error: the flag, or SANDBOX_ADMIN_TOKEN when
 * the environment gave it (an error about a variable names the variable).
 */
export function sandboxOptionsFrom(
  opts: SandboxFlags,
  adminTokenSetting: '--admin-token' | 'SANDBOX_ADMIN_TOKEN' = '--admin-token',
): SandboxOptions {
  const options: SandboxOptions = {
    port: parsePort(opts.port),
    host: opts.host,
    keys: parseKeyOverrides(opts.key),
  };
  try {
    if (opts.faults) options.faults = parseFaultSpec(opts.faults);
  } catch (err) {
    throw new UsageError(`--faults: ${(err as Error).message}`);
  }
  try {
    if (opts.latency) options.latencyMs = parseDuration(opts.latency);
  } catch (err) {
    throw new UsageError(`--latency: ${(err as Error).message}`);
  }
  if (opts.seed !== undefined) {
    if (!/^\d+$/.test(opts.seed)) throw new UsageError('--seed: must be a whole number');
    options.seed = Number(opts.seed);
  }
  if (!opts.quiet) options.log = (line) => process.stdout.write(`${line}\n`);
  if (opts.publicUrl) options.publicUrl = opts.publicUrl;
  if (opts.webhookSecret && !opts.webhookUrl) throw new UsageError('--webhook-secret: needs --webhook-url');
  if (opts.webhookUrl) options.webhooks = [{ url: opts.webhookUrl, secret: opts.webhookSecret, name: 'cli' }];
  if (opts.adminToken !== undefined) {
    const token = opts.adminToken.trim();
    if (token.length < 16 || /\s/.test(token))
      throw new UsageError(`${adminTokenSetting}: must be at least 16 characters without spaces`);
    options.adminToken = token;
  }
  return options;
}

/** What a person needs to use a running sandbox: its URL, its keys, a first command. */
export function describeSandbox(sandbox: RunningSandbox): string {
  const rows = ENVIRONMENTS.map(
    (env) =>
      `  ${env.padEnd(14)} ID+ key ${sandbox.keys[env].idPlusKey}   SDK key ${sandbox.keys[env].sdkKey}`,
  );
  return [
    `Socure sandbox listening on ${sandbox.url}`,
    '',
    'Keys (Authorization: SocureApiKey <ID+ key>):',
    ...rows,
    '',
    'Score the stock persona against it:',
    `  npx socure-connector score --api-url ${sandbox.url} --id-plus-key ${sandbox.keys.sandbox.idPlusKey} --stock-persona`,
    'Force an outcome with a magic input, e.g. --sur-name Reject (see the README’s magic-input table).',
    '',
    'RiskOS (Authorization: Bearer <RiskOS key>; workflow consumer_onboarding):',
    ...ENVIRONMENTS.map((env) => `  ${env.padEnd(14)} RiskOS key ${sandbox.keys[env].riskOsKey}`),
    `  npx socure-connector evaluate --riskos-url ${sandbox.url} --riskos-key ${sandbox.keys.sandbox.riskOsKey} --workflow consumer_onboarding --given-name Jax --family-name Myra --national-id 666990266 --date-of-birth 1990-04-04 --country US`,
    '',
    'Document verification:',
    `  npx socure-connector docv-url --api-url ${sandbox.url} --id-plus-key ${sandbox.keys.sandbox.idPlusKey}`,
    `  admin (webhooks, IPs & Domains, keys; loopback clients only unless --admin-token): ${sandbox.url}/admin`,
    `  SMS outbox: ${sandbox.url}/sandbox/outbox`,
  ].join('\n');
}

export function addSandboxFlags(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'port to listen on (0 = any free port)', '4010')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option(
      '--faults <spec>',
      'run-wide fault rates, e.g. 429:0.1,500:0.05,503:0.02,reset:0.01,slow:0.01,malformed:0.01',
    )
    .option('--latency <duration>', 'added to every answer, e.g. 50ms')
    .option('--seed <n>', 'seed for the run-wide fault draws (reproducible load tests)')
    .option('--key <env.kind=key>', 'override a key, e.g. production.idplus=… (repeatable)', collect, [])
    .option('--quiet', 'do not log requests')
    .option(
      '--public-url <url>',
      'base of capture links, e.g. http://192.168.1.20:4010 for a phone on your network',
    )
    .option('--webhook-url <url>', 'create a Document Verification webhook subscription to this URL at start')
    .option('--webhook-secret <secret>', 'its secret, sent in the Authorization header')
    .addOption(
      new Option(
        '--admin-token <token>',
        'the admin (pages, /admin/api, clock, SMS outbox, transaction helpers) answers loopback clients only; with this token (≥ 16 characters) remote clients sending Authorization: Bearer <token> are let in too',
      ).env('SANDBOX_ADMIN_TOKEN'),
    );
}

/** The magic-input table as text (the README holds the same table). */
export function formatMagicInputs(): string {
  const width = Math.max(...MAGIC_INPUTS.map((m) => m.field.length));
  return MAGIC_INPUTS.map(
    (m) => `${m.field.padEnd(width)}  ${m.value}\n${' '.repeat(width)}  → ${m.effect}`,
  ).join('\n');
}

export async function runSandboxUntilStopped(
  opts: SandboxFlags,
  adminTokenSetting: '--admin-token' | 'SANDBOX_ADMIN_TOKEN' = '--admin-token',
): Promise<void> {
  // The sandbox itself (Fastify, its routes) loads only when it runs, not for --magic or the helpers.
  const { startSandbox } = await import('../../sandbox/start.js');
  const sandbox = await startSandbox(sandboxOptionsFrom(opts, adminTokenSetting));
  process.stdout.write(`${describeSandbox(sandbox)}\n`);
  await onShutdown(() => sandbox.close());
}

export function sandboxCommand(): Command {
  const cmd = addSandboxFlags(
    new Command('sandbox').description('Run the offline Socure sandbox (ID+, reason codes) until Ctrl-C'),
  );
  cmd.addHelpText(
    'after',
    `
Examples:
  $ socure-connector sandbox
  $ socure-connector sandbox --port 0 --faults 429:0.1,500:0.05 --latency 50ms --seed 7
  $ socure-connector sandbox --webhook-url http://localhost:3000/hook --webhook-secret s3cret
  $ socure-connector sandbox trigger complete-accept --token <docvTransactionToken>
  $ socure-connector sandbox clock --advance 20m`,
  );
  cmd.option('--magic', 'print the magic inputs that force outcomes and faults, then exit');
  cmd.addCommand(triggerCommand().exitOverride());
  cmd.addCommand(clockCommand().exitOverride());
  return cmd.action((opts: SandboxFlags & { magic?: boolean }, command: Command) => {
    if (opts.magic) {
      process.stdout.write(`${formatMagicInputs()}\n`);
      return;
    }
    const fromEnv = command.getOptionValueSource('adminToken') === 'env';
    return runSandboxUntilStopped(opts, fromEnv ? 'SANDBOX_ADMIN_TOKEN' : '--admin-token');
  });
}
