import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FLOWS_DIR } from '../../src/server/config.js';

/** The ids of the flows shipped in flows/, read from the files (what the service must load and list). */
export const SHIPPED_FLOW_IDS: readonly string[] = readdirSync(DEFAULT_FLOWS_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => (JSON.parse(readFileSync(join(DEFAULT_FLOWS_DIR, name), 'utf8')) as { id: string }).id)
  .sort();
