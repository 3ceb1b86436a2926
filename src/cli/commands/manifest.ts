import { Command } from 'commander';
import { buildManifest } from '../../connector/manifest.js';
import { packageVersion } from '../package-version.js';

export function manifestCommand(): Command {
  return new Command('manifest')
    .description('Print the connector manifest (configuration + capabilities with JSON Schemas) as JSON')
    .addHelpText('after', '\nExample:\n  $ socure-connector manifest > socure-connector.manifest.json')
    .action(() => {
      process.stdout.write(`${JSON.stringify(buildManifest(packageVersion()), null, 2)}\n`);
    });
}
