import type { Command } from 'commander';

/** The flags of the commands that administer the service's database (keys, forget, audit). */
export interface DatabaseFlagValues {
  databaseUrl?: string;
  config?: string;
}

/**
 * Adds `--database-url` and `--config`, read like `start` reads them. The key ring is never a flag (secrets do
 * not go in argv): DATA_ENCRYPTION_KEYS, the config file, or the key file beside a SQLite database.
 */
export function withDatabaseFlags(cmd: Command): Command {
  return cmd
    .option(
      '--database-url <url>',
      'the service’s database: SQLite path (default sqlite:./data/socure-connector.db) or postgres://… (env DATABASE_URL)',
    )
    .option(
      '--config <file>',
      'JSON file with settings named like the environment variables, as `start` reads it (env CONFIG_FILE)',
    );
}
