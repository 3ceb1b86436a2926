import { Command } from 'commander';
import { packageVersion } from '../package-version.js';

export function manifestCommand(): Command {
  return new Command('manifest')
    .description('Print the connector manifest (configuration + capabilities with JSON Schemas) as JSON')
    .addHelpText('after', '\nExample:\n  $ socure-connector manifest > socure-connector.manifest.json')
    .action(async () => {
      const { buildManifest } = await import('../../connector/manifest.js');
      process.stdout.write(`${JSON.stringify(buildManifest(packageVersion()), null, 2)}\n`);
    });
}
