import { Command } from 'commander';
import { addSandboxFlags, runSandboxUntilStopped, type SandboxFlags } from './sandbox.js';

/**
 * The main job. Until the flow service lands, it starts the embedded sandbox and prints how to
 * score against it.
 */
export function startCommand(): Command {
  return addSandboxFlags(
    new Command('start').description(
      'Start socure-connector on embedded defaults (for now: the offline sandbox)',
    ),
  ).action((opts: SandboxFlags) => runSandboxUntilStopped(opts));
}
