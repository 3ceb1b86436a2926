import { readFileSync, writeFileSync } from 'node:fs';
import {
  DOCV_MAGIC_INPUTS,
  MAGIC_INPUTS,
  type MagicInput,
  RISKOS_MAGIC_INPUTS,
  TRIGGER_SCENARIOS,
} from '../src/sandbox/index.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's generated tables, by marker name, built from the sandbox's own lists. */
export const GENERATED_TABLES: Record<string, () => string> = {
  'magic-inputs': () => magicTable(MAGIC_INPUTS),
  'docv-magic-inputs': () => magicTable(DOCV_MAGIC_INPUTS),
  'riskos-magic-inputs': () => magicTable(RISKOS_MAGIC_INPUTS),
  'trigger-scenarios': () =>
    [
      '| scenario | what happens |',
      '|---|---|',
      ...TRIGGER_SCENARIOS.map((s) => `| \`${s.name}\` | ${cell(s.description)} |`),
      '',
    ].join('\n'),
};

function magicTable(rows: MagicInput[]): string {
  const lines = rows.map((m) => `| \`${cell(m.field)}\` | ${cell(m.value)} | ${cell(m.effect)} |`);
  return ['| field | value | effect |', '|---|---|---|', ...lines, ''].join('\n');
}

/** Where the text between `<!-- name:start … -->` and `<!-- name:end -->` lies. */
function tableRange(readme: string, name: string): [number, number] | undefined {
  const start = new RegExp(`<!-- ${name}:start[^>]*-->\\n`).exec(readme);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (!start || end < 0) return undefined;
  return [start.index + start[0].length, end];
}

/** The text currently between the markers. */
export function readmeTable(readme: string, name: string): string | undefined {
  const range = tableRange(readme, name);
  return range && readme.slice(...range);
}

// `npx tsx scripts/readme-magic-table.ts` rewrites the tables in README.md.
if (import.meta.url === `file://${process.argv[1]}`) {
  let readme = readFileSync('README.md', 'utf8');
  for (const [name, build] of Object.entries(GENERATED_TABLES)) {
    const range = tableRange(readme, name);
    if (range === undefined) throw new Error(`README.md has no ${name} markers`);
    readme = readme.slice(0, range[0]) + build() + readme.slice(range[1]);
  }
  writeFileSync('README.md', readme);
}
